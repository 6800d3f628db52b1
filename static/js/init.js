// Loaded with <script type="module" src="{% static 'js/init.js' %}"></script>
// at the end of <body>. External file because the CSP forbids inline scripts.
// Relative import so it works whatever STATIC_URL is.
import { initAll } from '../vendor/govuk-frontend/govuk-frontend.min.js'

if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('govuk-frontend-supported')
}
initAll()
