// Where the API lives: "" is this origin (make run serves both).
// make deploy writes the stage's API URL here.
window.APP_CONFIG = { apiBase: "" };
