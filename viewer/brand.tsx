import type { ViewerConfig } from './config.js';

/**
 * The brand colour becomes the accent of buttons and links, with text on it in whichever of black
 * or white reads better on it.
 */
export function applyBrand(colour: string): void {
  const rgb = [1, 3, 5].map((i) => Number.parseInt(colour.slice(i, i + 2), 16) / 255);
  const [r, g, b] = rgb.map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [
    number,
    number,
    number,
  ];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const root = document.documentElement.style;
  root.setProperty('--accent', colour);
  root.setProperty('--accent-text', colour);
  root.setProperty('--accent-ink', luminance > 0.4 ? '#000' : '#fff');
}

/** The logo and name of the company whose session this is, when it chose a brand. */
export function BrandMark({ brand }: { brand: ViewerConfig['brand'] }) {
  if (!brand) return null;
  return (
    <span class="brand" data-testid="brand">
      {brand.logo && <img src={brand.logo} alt="" width={24} height={24} />}
      {brand.name}
    </span>
  );
}
