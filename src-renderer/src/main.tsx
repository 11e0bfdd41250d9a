/** Renderer entry. */
import { render } from 'solid-js/web';
import { App } from './App';
import { completePairing } from './onboarding/access';
import './theme.css';

function rootElement(): HTMLElement {
  const el = document.getElementById('root');
  if (!el) throw new Error('index.html has no #root element');
  return el;
}

// A phone opened from a pairing code trades it for its own key before the first API call.
void completePairing().then(() => render(() => <App />, rootElement()));
