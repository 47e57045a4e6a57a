/** @jsxImportSource react */
/**
 * The remote-control test's React page: every kind of input as a controlled component, with the
 * state React holds rendered back into the page, so the test reads what the page's own scripts saw.
 */
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';

function Form() {
  const [name, setName] = useState('');
  const [message, setMessage] = useState('');
  const [size, setSize] = useState('S');
  const [newsletter, setNewsletter] = useState(false);
  const [contact, setContact] = useState('');
  const [notes, setNotes] = useState('Notes:');
  const [inner, setInner] = useState(0);
  const [scrollY, setScrollY] = useState(0);
  const [ime, setIme] = useState('');

  useEffect(() => {
    const onScroll = () => setScrollY(Math.round(window.scrollY));
    addEventListener('scroll', onScroll);
    return () => removeEventListener('scroll', onScroll);
  }, []);

  const state = { name, message, size, newsletter, contact, notes, inner, scrollY, ime };
  return (
    <main>
      <h1>React form</h1>
      <output data-testid="state">{JSON.stringify(state)}</output>
      <label htmlFor="name">Name</label>
      <input id="name" value={name} onChange={(e) => setName(e.target.value)} />
      <label htmlFor="message">Message</label>
      <textarea id="message" value={message} onChange={(e) => setMessage(e.target.value)} />
      <label htmlFor="size">Size</label>
      <select id="size" value={size} onChange={(e) => setSize(e.target.value)}>
        <option value="S">S</option>
        <option value="M">M</option>
        <option value="L">L</option>
      </select>
      <label>
        <input
          type="checkbox"
          id="newsletter"
          checked={newsletter}
          onChange={(e) => setNewsletter(e.target.checked)}
        />
        Newsletter
      </label>
      {['email', 'phone'].map((way) => (
        <label key={way}>
          <input
            type="radio"
            name="contact"
            id={`contact-${way}`}
            value={way}
            checked={contact === way}
            onChange={(e) => setContact(e.target.value)}
          />
          {way}
        </label>
      ))}
      <div
        id="notes"
        contentEditable
        suppressContentEditableWarning
        onInput={(e) => setNotes(e.currentTarget.textContent ?? '')}
      >
        Notes:
      </div>
      <div id="inner" onScroll={(e) => setInner(Math.round(e.currentTarget.scrollTop))}>
        <div className="tall">Inner scrollable area</div>
      </div>
      <label htmlFor="ime">Japanese</label>
      <input id="ime" value={ime} onChange={(e) => setIme(e.target.value)} />
      <div className="spacer">End of the form</div>
    </main>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(<Form />);
