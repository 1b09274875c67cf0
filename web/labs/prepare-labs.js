// Loaded by the head of every page with labs (async, so it runs as soon as it arrives,
// before DOMContentLoaded): starts fetching and compiling the labs' wasm while the page
// still parses, so the first lab in view only has to instantiate it. A file of its own
// because the pages' Content-Security-Policy allows no inline script.
import { prepareLabs } from './lab-host.js';

prepareLabs();
