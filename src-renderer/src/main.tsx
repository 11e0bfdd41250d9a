/** Renderer entry. */
import { render } from 'solid-js/web';
import { App } from './App';
import './theme.css';

render(() => <App />, document.getElementById('root')!);
