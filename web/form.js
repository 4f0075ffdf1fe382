/* The contact form's behaviour: language, client-side checks that mirror the server's (docs/architecture.md §4), the captcha,
   and one POST /inquiries per submission with an Idempotency-Key that a retry of the same text reuses.
   No dependencies. Without this script the form still posts urlencoded and the API answers 303. */
(function () {
  "use strict";

  var config = window.CONTACT_FORM_CONFIG || {};
  var STRINGS = window.CONTACT_FORM_STRINGS || {};
  var FIELDS = ["name", "email", "customer_number", "subject", "message"];
  var MAX = { name: 200, email: 254, customer_number: 40, subject: 200, message: 5000 };
  // Python's unicodedata category Cc, plus the Unicode line and paragraph separators (models.py).
  var CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
  var CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/;
  var EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
  var CUSTOMER_NUMBER = /^[A-Za-z0-9-]+$/;
  var RETRYABLE = { network: true, unavailable: true, rate_limited: true };

  var lang = pickLanguage();

  // --- language ---------------------------------------------------------------------------------------

  function supported() {
    return (config.languages || ["en"]).filter(function (code) { return STRINGS[code]; });
  }

  function pickLanguage() {
    var offered = supported();
    var primary = function (tag) { return String(tag || "").toLowerCase().split("-")[0]; };
    var fromQuery = primary(new URLSearchParams(window.location.search).get("lang"));
    if (offered.indexOf(fromQuery) >= 0) return fromQuery;
    var preferred = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    for (var i = 0; i < preferred.length; i++) {
      if (offered.indexOf(primary(preferred[i])) >= 0) return primary(preferred[i]);
    }
    return offered.indexOf(config.defaultLanguage) >= 0 ? config.defaultLanguage : "en";
  }

  function t(key, vars) {
    var text = (STRINGS[lang] && STRINGS[lang][key]) || (STRINGS.en && STRINGS.en[key]) || key;
    return text.replace(/\{(\w+)\}/g, function (_, name) { return vars && name in vars ? vars[name] : ""; });
  }

  function translatePage() {
    document.documentElement.lang = lang;
    var nodes = document.querySelectorAll("[data-i18n]");
    for (var i = 0; i < nodes.length; i++) nodes[i].textContent = t(nodes[i].getAttribute("data-i18n"));
    var privacy = document.getElementById("privacy-link");
    if (privacy && config.privacyStatementUrl) privacy.href = config.privacyStatementUrl.replace("{lang}", lang);
    var back = document.getElementById("back-link");
    if (back) back.href = "./?lang=" + encodeURIComponent(lang);
  }

  // --- checks that mirror the server's model -----------------------------------------------------------

  function codePoints(text) { return Array.from(text).length; }

  /** One field's problem as a string key (for t()), or "" when it is fine. */
  function problem(field, raw) {
    var value = raw.trim();
    if (field === "customer_number") {
      if (!value) return "";
      return CONTROL.test(raw) || codePoints(value) > MAX.customer_number || !CUSTOMER_NUMBER.test(value)
        ? "customer_number_invalid" : "";
    }
    if (field === "message") {
      if (CONTROL_IN_TEXT.test(raw)) return "no_control";
    } else if (CONTROL.test(raw)) {
      return field === "email" ? "email_invalid" : "one_line";
    }
    if (!value) return "required_" + field;
    if (codePoints(value) > MAX[field]) return field === "email" ? "email_invalid" : "too_long";
    if (field === "email" && !EMAIL.test(value)) return "email_invalid";
    return "";
  }

  /** A server field error (error.fields[]) as a string key. */
  function serverProblem(field, code) {
    if (code === "required" || code === "too_short") return field === "customer_number" ? "customer_number_invalid" : "required_" + field;
    if (field === "email") return "email_invalid";
    if (field === "customer_number") return "customer_number_invalid";
    if (code === "too_long") return "too_long";
    if (code === "invalid") return field === "message" ? "no_control" : "one_line";
    return "invalid";
  }

  // --- captcha -----------------------------------------------------------------------------------------

  function randomHex(bytes) {
    var buffer = new Uint8Array(bytes);
    window.crypto.getRandomValues(buffer);
    return Array.from(buffer, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function newIdempotencyKey() {
    if (window.crypto.randomUUID) return window.crypto.randomUUID(); // secure contexts (https, localhost)
    var h = randomHex(16).split("");
    h[12] = "4";
    h[16] = "89ab"[parseInt(h[16], 16) & 3];
    h = h.join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  function localCaptcha() {
    // devstack's stand-in (docs/architecture.md §8): "pass:" passes once; ?captcha=low|bad lets tests force a failure.
    var forced = new URLSearchParams(window.location.search).get("captcha");
    return {
      token: function () {
        if (forced === "low") return Promise.resolve("low:" + randomHex(8));
        if (forced === "bad") return Promise.resolve("bad");
        return Promise.resolve("pass:" + randomHex(8));
      },
    };
  }

  function recaptchaV3(siteKey) {
    // Loaded by the form only, never site-wide; started at once because v3 scores the visit, not the click.
    var ready = null;
    function load() {
      if (!ready) {
        ready = new Promise(function (resolve, reject) {
          var script = document.createElement("script");
          script.src = "https://www.google.com/recaptcha/api.js?render=" + encodeURIComponent(siteKey) +
            "&hl=" + encodeURIComponent(lang);
          script.async = true;
          script.onload = function () { window.grecaptcha.ready(resolve); };
          script.onerror = function () { ready = null; script.remove(); reject(new Error("captcha script")); };
          document.head.appendChild(script);
        });
      }
      return ready;
    }
    load().catch(function () { /* reported when a token is needed */ });
    return {
      token: function () {
        return load().then(function () { return window.grecaptcha.execute(siteKey, { action: "contact" }); });
      },
    };
  }

  function isLoopback(host) { return host === "localhost" || host === "127.0.0.1" || host === "[::1]"; }

  // --- the form ----------------------------------------------------------------------------------------

  function ContactForm(form) {
    this.form = form;
    this.button = document.getElementById("submit");
    this.status = document.getElementById("form-status");
    this.summary = document.getElementById("error-summary");
    this.summaryList = document.getElementById("error-summary-list");
    this.success = document.getElementById("success");
    this.captcha = config.captcha === "local" ? localCaptcha() : recaptchaV3(config.recaptchaSiteKey || "");
    this.endpoint = String(config.apiUrl || "").replace(/\/+$/, "") + "/inquiries";
    this.pending = null; // {fingerprint, key}: the submission in progress or last failed, for a retry
    this.sending = false;
    this.errors = {};

    form.action = this.endpoint;
    form.noValidate = true; // the page shows its own, accessible messages
    document.getElementById("locale").value = lang;
    form.addEventListener("submit", this.onSubmit.bind(this));
    form.addEventListener("input", this.onInput.bind(this));
    this.summaryList.addEventListener("click", this.onSummaryClick.bind(this));
    if (config.captcha === "local" && !isLoopback(window.location.hostname)) this.warnLocal();
  }

  ContactForm.prototype.field = function (name) { return document.getElementById(name); };

  ContactForm.prototype.values = function () {
    var values = {};
    for (var i = 0; i < FIELDS.length; i++) values[FIELDS[i]] = this.field(FIELDS[i]).value;
    return values;
  };

  ContactForm.prototype.onSubmit = function (event) {
    event.preventDefault();
    if (this.sending) return; // a double click or a second Enter while the first is on its way
    var values = this.values();
    var problems = {};
    FIELDS.forEach(function (name) {
      var key = problem(name, values[name]);
      if (key) problems[name] = key;
    });
    if (Object.keys(problems).length) {
      this.showFieldErrors(problems);
      return;
    }
    this.clearFieldErrors();
    this.send(this.body(values));
  };

  ContactForm.prototype.body = function (values) {
    var body = {
      name: values.name.trim(),
      email: values.email.trim(),
      subject: values.subject.trim(),
      message: values.message.trim(),
      locale: lang,
      website: this.field("website").value, // the honeypot, as it is: the server decides
    };
    if (values.customer_number.trim()) body.customer_number = values.customer_number.trim();
    return body;
  };

  ContactForm.prototype.send = function (body) {
    var self = this;
    var fingerprint = JSON.stringify(body);
    // The same text again (a retry after a lost answer, a 503, a captcha failure) reuses the key, so the
    // server answers with the inquiry it already has instead of making a second one.
    if (!this.pending || this.pending.fingerprint !== fingerprint) {
      this.pending = { fingerprint: fingerprint, key: newIdempotencyKey() };
    }
    var key = this.pending.key;
    this.setSending(true);
    this.captcha.token()
      .then(
        function (token) {
          body.captcha_token = token;
          return fetch(self.endpoint, {
            method: "POST",
            headers: { "Content-Type": "application/json", Accept: "application/json", "Idempotency-Key": key },
            body: JSON.stringify(body),
            credentials: "omit",
            cache: "no-store",
          }).then(readOutcome, function () { return { kind: "network" }; });
        },
        function () { return { kind: "captcha_unavailable" }; }
      )
      .then(function (outcome) {
        self.setSending(false, RETRYABLE[outcome.kind]);
        self.show(outcome);
      });
  };

  function readOutcome(response) {
    return response.json().catch(function () { return {}; }).then(function (data) {
      var error = (data && data.error) || {};
      switch (response.status) {
        case 202:
          return data && data.inquiry_id ? { kind: "success", inquiryId: data.inquiry_id } : { kind: "error" };
        case 422: return { kind: "fields", fields: error.fields || [] };
        case 403: return { kind: "captcha_failed" };
        case 409: return { kind: "conflict" };
        case 413: return { kind: "too_large" };
        case 429: return { kind: "rate_limited" }; // API Gateway's throttling
        case 500: case 502: case 503: case 504: return { kind: "unavailable" };
        default: return { kind: "error" };
      }
    });
  }

  ContactForm.prototype.show = function (outcome) {
    if (outcome.kind === "success") return this.showSuccess(outcome.inquiryId);
    if (outcome.kind === "fields") return this.showServerFieldErrors(outcome.fields);
    if (outcome.kind === "conflict") this.pending = null; // a fresh key for the next attempt
    this.announce(t("status_" + outcome.kind), "error");
    this.button.focus();
  };

  ContactForm.prototype.showSuccess = function (inquiryId) {
    this.pending = null;
    this.clearFieldErrors();
    this.form.hidden = true;
    document.getElementById("required-note").hidden = true;
    document.getElementById("inquiry-id").textContent = inquiryId;
    this.success.hidden = false;
    this.announce(t("success_title") + ". " + t("success_reference") + " " + inquiryId, "success");
    this.success.focus();
  };

  ContactForm.prototype.showServerFieldErrors = function (fields) {
    var problems = {};
    for (var i = 0; i < fields.length; i++) {
      var name = fields[i] && fields[i].field;
      if (FIELDS.indexOf(name) >= 0 && !problems[name]) problems[name] = serverProblem(name, fields[i].code);
    }
    if (!Object.keys(problems).length) {
      // e.g. a missing captcha token or a bad header: nothing the person can fix in a field
      this.announce(t("status_error"), "error");
      this.button.focus();
      return;
    }
    this.showFieldErrors(problems);
  };

  ContactForm.prototype.showFieldErrors = function (problems) {
    this.clearFieldErrors();
    this.errors = problems;
    var self = this;
    var first = null;
    var labels = [];
    FIELDS.forEach(function (name) {
      if (!problems[name]) return;
      var message = t(problems[name], { max: MAX[name] });
      self.markField(name, message);
      var label = t("label_" + name);
      labels.push(label);
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + name;
      link.setAttribute("data-field", name);
      link.textContent = t("summary_item", { label: label, message: message });
      item.appendChild(link);
      self.summaryList.appendChild(item);
      if (!first) first = name;
    });
    this.summary.hidden = false;
    this.announce(t("summary_announce", { fields: labels.join(", ") }), "fields");
    this.field(first).focus();
  };

  ContactForm.prototype.markField = function (name, message) {
    var error = document.getElementById(name + "-error");
    error.textContent = message;
    error.hidden = false;
    this.field(name).setAttribute("aria-invalid", "true");
  };

  ContactForm.prototype.clearField = function (name) {
    var error = document.getElementById(name + "-error");
    error.textContent = "";
    error.hidden = true;
    this.field(name).removeAttribute("aria-invalid");
    var link = this.summaryList.querySelector('a[data-field="' + name + '"]');
    if (link) link.parentNode.remove();
    delete this.errors[name];
    if (Object.keys(this.errors).length) return;
    this.summary.hidden = true;
    if (this.status.getAttribute("data-kind") === "fields") this.announce("", "");
  };

  ContactForm.prototype.clearFieldErrors = function () {
    for (var i = 0; i < FIELDS.length; i++) this.clearField(FIELDS[i]);
    this.summaryList.textContent = "";
    this.summary.hidden = true;
  };

  ContactForm.prototype.onInput = function (event) {
    // A field marked wrong is checked again as it changes, so its message goes away once it is right.
    var name = event.target && event.target.id;
    if (!this.errors[name]) return;
    var key = problem(name, event.target.value);
    if (!key) this.clearField(name);
  };

  ContactForm.prototype.onSummaryClick = function (event) {
    var link = event.target.closest("a[data-field]");
    if (!link) return;
    event.preventDefault();
    var field = this.field(link.getAttribute("data-field"));
    field.focus();
    field.scrollIntoView({ block: "center" });
  };

  ContactForm.prototype.setSending = function (sending, retryable) {
    this.sending = sending;
    this.button.disabled = sending;
    this.form.setAttribute("aria-busy", sending ? "true" : "false");
    this.button.textContent = t(sending ? "sending" : retryable ? "retry" : "submit");
    if (sending) this.announce(t("status_sending"), "progress");
  };

  ContactForm.prototype.announce = function (text, kind) {
    this.status.setAttribute("data-kind", kind);
    this.status.textContent = text;
  };

  ContactForm.prototype.warnLocal = function () {
    var banner = document.getElementById("local-warning");
    banner.textContent = 'config.js sets captcha: "local" (devstack\'s stand-in), which only works with devstack. ' +
      'To host this form set captcha: "recaptcha-v3" and recaptchaSiteKey (web/README.md).';
    banner.hidden = false;
  };

  // --- start -------------------------------------------------------------------------------------------

  translatePage();
  var form = document.getElementById("contact-form");
  if (form) new ContactForm(form);
})();
