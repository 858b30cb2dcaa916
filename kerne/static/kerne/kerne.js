// Small behaviours every page may use, without inline script (the Content-Security-Policy
// allows none): a button with data-print prints the page.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (button) {
    event.preventDefault();
    window.print();
  }
});
