/** Renderer entry. */
import { render } from 'solid-js/web';
import { App } from './App';
import { completePairing } from './onboarding/access';
import './theme.css';

// A phone opened from a pairing code trades it for its own key before the first API call.
void completePairing().then(() => render(() => <App />, document.getElementById('root')!));
