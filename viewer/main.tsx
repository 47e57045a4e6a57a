import { render } from 'preact';
import { applyBrand } from './brand.js';
import { readConfig } from './config.js';
import { Landing } from './landing.js';
import { SessionView } from './session-view.js';
import { css } from './styles.js';

const style = document.createElement('style');
style.textContent = css;
document.head.append(style);

const config = readConfig();
if (config.brand) applyBrand(config.brand.colour);
const root = document.getElementById('app');
if (root) {
  render(
    config.session ? <SessionView config={config} session={config.session} /> : <Landing config={config} />,
    root,
  );
}
