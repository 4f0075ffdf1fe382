/* The contact form's configuration: the one file to edit when the shop hosts the form (web/README.md,
   "Embedding the form"). The values below are devstack's (`make dev`, http://127.0.0.1:3000/).

   Two values also live in index.html for browsers without JavaScript: the form's `action`
   (apiUrl + "/inquiries") and the privacy link's `href`. Keep them equal to these. */
window.CONTACT_FORM_CONFIG = {
  // The API's base URL: the stack output ApiUrl, e.g. "https://abc123.execute-api.eu-central-1.amazonaws.com/v1".
  // "" means this page's own origin (devstack, or the API behind the shop's domain).
  apiUrl: "",

  // "recaptcha-v3" in production; "local" is devstack's stand-in, which makes "pass:" tokens that only
  // devstack's siteverify emulator accepts (and honours ?captcha=low|bad for tests).
  captcha: "local",

  // The reCAPTCHA v3 site key (public). Its secret goes to SSM, never here (README: parameters and secrets).
  recaptchaSiteKey: "",

  // Languages the page offers, and the one used when neither ?lang= nor the browser's languages match.
  languages: ["nl", "de", "en", "fr"],
  defaultLanguage: "en",

  // The full privacy statement; "{lang}" is replaced by the page's language.
  privacyStatementUrl: "https://shop.example/privacy?lang={lang}",

  // Where a post without JavaScript lands (the API answers 303 there): must equal the ThankYouUrl parameter.
  // With JavaScript the form shows its own confirmation with the inquiry's reference instead.
  thankYouUrl: "/thanks.html",
};
