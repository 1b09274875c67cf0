// Runs before the stylesheet paints (a plain, blocking script in <head>): the reader's
// saved theme, else the system's, so a dark-theme reader never sees a light flash.
// A file of its own because the pages' Content-Security-Policy allows no inline script.
(function applySavedTheme() {
  let theme = null;
  try { theme = localStorage.getItem('epibook-theme'); } catch (e) { /* private mode: follow the system */ }
  document.documentElement.dataset.theme = theme
    || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
}());
