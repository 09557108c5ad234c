/* qbank practice test: configure, take, score and review a practice exam, all offline.
 *
 * The bank arrives as JSON in #qbank-data. Fields named "stem", "explanation", "html", "feedback"
 * and "prompt" hold HTML that qbank sanitised at export time; every other string is plain text
 * and goes into the page with textContent only.
 */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("qbank-data").textContent);
  var QUESTIONS = DATA.questions;
  var BLUEPRINT = DATA.blueprint;
  var FORM = DATA.form;
  var POOLS = DATA.pools || {};
  var EXAM = DATA.exam || {};
  var MIN_COUNT = 5;
  var MAX_COUNT = 100;
  var OTHER = "\u0000other";

  var main = document.getElementById("main");
  var timerBox = document.getElementById("timer");
  var announcer = document.getElementById("announcer");
  document.getElementById("page-title").textContent = DATA.title;

  var TYPE_NAMES = {
    single_choice: "Single choice",
    multiple_response: "Multiple response",
    true_false: "True or false",
    short_answer: "Short answer",
    numerical: "Numerical",
    matching: "Matching",
    ordering: "Ordering",
    essay: "Essay",
    cloze: "Fill in the gaps"
  };
  var NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

  // ------------------------------------------------------------------ small DOM helpers

  /* el("p", {class: "x", text: "plain"}, [children]): "html" inserts sanitised HTML from the bank. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    var key;
    attrs = attrs || {};
    for (key in attrs) {
      if (!Object.prototype.hasOwnProperty.call(attrs, key)) continue;
      var value = attrs[key];
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "html") setHtml(node, value);
      else if (key === "class") node.className = value;
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else if (value === true) node.setAttribute(key, "");
      else node.setAttribute(key, String(value));
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function setHtml(node, sanitised) {
    node.innerHTML = sanitised;
    // links in question text lead away from the test: open them beside it
    Array.prototype.forEach.call(node.querySelectorAll("a[href]"), function (a) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    });
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function announce(message) {
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = message;
    }, 30);
  }

  function show(screen) {
    clear(main);
    main.appendChild(screen);
    var heading = screen.querySelector("h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
    window.scrollTo(0, 0);
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many || one + "s");
  }

  function formatNumber(n) {
    return String(Math.round(n * 100) / 100);
  }

  function formatPercent(p) {
    return formatNumber(Math.round(p * 10) / 10) + "%";
  }

  // ------------------------------------------------------------------ randomness

  function seedFrom(text) {
    var trimmed = String(text).trim();
    if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed) >>> 0;
    var h = 2166136261;
    for (var i = 0; i < trimmed.length; i++) {
      h ^= trimmed.charCodeAt(i);
      h = Math.imul(h, 16777619);
    }
    return h >>> 0;
  }

  function freshSeed() {
    var buf = new Uint32Array(1);
    window.crypto.getRandomValues(buf);
    return buf[0] % 1000000000;
  }

  /* mulberry32: a small, well-distributed 32-bit generator; same seed, same test */
  function generator(seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) >>> 0;
      var t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function shuffled(items, rng) {
    var out = items.slice();
    for (var i = out.length - 1; i > 0; i--) {
      var j = Math.floor(rng() * (i + 1));
      var tmp = out[i];
      out[i] = out[j];
      out[j] = tmp;
    }
    return out;
  }

  // ------------------------------------------------------------------ the bank's outline

  var domainIndex = {};
  var objectiveDomain = {};
  if (BLUEPRINT) {
    BLUEPRINT.domains.forEach(function (d) {
      domainIndex[d.id] = d;
      d.objectives.forEach(function (o) {
        objectiveDomain[o.id] = d.id;
      });
    });
  }

  QUESTIONS.forEach(function (q, index) {
    q.bankIndex = index;
    q.group = q.domain !== null && domainIndex[q.domain] ? q.domain : OTHER;
    q.objectiveKey = q.objective !== null && objectiveDomain[q.objective] === q.group ? q.objective : null;
    // results are still reported by domain when the blueprint is absent (e.g. an assembled form)
    q.reportGroup = q.group === OTHER && q.domain !== null ? "d:" + q.domain : q.group;
  });

  function domainTitle(id) {
    if (id === OTHER) return BLUEPRINT ? "Not in the blueprint" : "All questions";
    if (id.slice(0, 2) === "d:") return "Domain " + id.slice(2);
    var d = domainIndex[id];
    return d ? "Domain " + d.id + ": " + d.title : id;
  }

  function passingScore() {
    if (FORM && FORM.passing_score) return FORM.passing_score;
    return EXAM.passing_score || null;
  }

  /* Split n over groups ({weight, size}) by weight with largest remainders; a group never gets
   * more than it holds, and what it cannot take goes to the others by weight again. */
  function apportion(n, groups) {
    var counts = groups.map(function () {
      return 0;
    });
    var remaining = n;
    var open = groups
      .map(function (g, i) {
        return i;
      })
      .filter(function (i) {
        return groups[i].size > 0;
      });
    while (remaining > 0 && open.length) {
      var weights = open.map(function (i) {
        return groups[i].weight;
      });
      var total = weights.reduce(function (s, w) {
        return s + w;
      }, 0);
      if (total <= 0) {
        weights = open.map(function (i) {
          return groups[i].size - counts[i];
        });
        total = weights.reduce(function (s, w) {
          return s + w;
        }, 0);
      }
      var quotas = weights.map(function (w) {
        return (remaining * w) / total;
      });
      var shares = quotas.map(Math.floor);
      var given = shares.reduce(function (s, x) {
        return s + x;
      }, 0);
      var byRemainder = quotas
        .map(function (_, k) {
          return k;
        })
        .sort(function (a, b) {
          return quotas[b] - shares[b] - (quotas[a] - shares[a]) || a - b;
        });
      for (var j = 0; given < remaining && j < byRemainder.length; j++) {
        shares[byRemainder[j]] += 1;
        given += 1;
      }
      var placed = 0;
      open.forEach(function (i, k) {
        var take = Math.min(groups[i].size - counts[i], shares[k]);
        counts[i] += take;
        placed += take;
      });
      remaining -= placed;
      open = open.filter(function (i) {
        return counts[i] < groups[i].size;
      });
    }
    return counts;
  }

  /* How many questions a set of items can give to one attempt: a pool gives at most its pick. */
  function capacity(items) {
    var inPool = {};
    var n = 0;
    items.forEach(function (q) {
      if (q.pool && POOLS[q.pool]) {
        inPool[q.pool] = (inPool[q.pool] || 0) + 1;
      } else {
        n += 1;
      }
    });
    Object.keys(inPool).forEach(function (name) {
      n += Math.min(inPool[name], POOLS[name]);
    });
    return n;
  }

  /* The questions a selection allows, grouped by domain then by objective (null: none). */
  function poolFor(selection) {
    var groups = [];
    var byId = {};
    var order = BLUEPRINT
      ? BLUEPRINT.domains.map(function (d) {
          return d.id;
        })
      : [];
    order.push(OTHER);
    order.forEach(function (id) {
      var g = { id: id, weight: id === OTHER ? 0 : domainIndex[id].weight, subgroups: [], byKey: {}, items: [], size: 0 };
      byId[id] = g;
      groups.push(g);
    });
    QUESTIONS.forEach(function (q) {
      if (!selection.allows(q)) return;
      var g = byId[q.group];
      var key = q.objectiveKey === null ? "" : q.objectiveKey;
      if (!g.byKey[key]) {
        g.byKey[key] = { key: key, items: [] };
        g.subgroups.push(g.byKey[key]);
      }
      g.byKey[key].items.push(q);
      g.items.push(q);
    });
    groups.forEach(function (g) {
      g.size = capacity(g.items);
    });
    return groups.filter(function (g) {
      return g.size > 0;
    });
  }

  function poolSize(selection) {
    return capacity(
      QUESTIONS.filter(function (q) {
        return selection.allows(q);
      })
    );
  }

  /* The weighted draw: n across domains by blueprint weight, each domain's share across its
   * objectives evenly, then random questions within each objective. A pool gives at most its
   * pick to one attempt; seats a full pool leaves empty go to any other allowed question. */
  function draw(n, selection, rng) {
    var groups = poolFor(selection);
    var counts = apportion(n, groups);
    var picked = [];
    var taken = {};
    var chosen = {};
    function take(q) {
      if (chosen[q.id]) return false;
      if (q.pool && POOLS[q.pool]) {
        if ((taken[q.pool] || 0) >= POOLS[q.pool]) return false;
        taken[q.pool] = (taken[q.pool] || 0) + 1;
      }
      chosen[q.id] = true;
      picked.push(q);
      return true;
    }
    var rest = [];
    groups.forEach(function (g, gi) {
      var subs = g.subgroups;
      var subCounts = apportion(
        counts[gi],
        subs.map(function (s) {
          return { weight: 1, size: capacity(s.items) };
        })
      );
      subs.forEach(function (s, si) {
        var got = 0;
        shuffled(s.items, rng).forEach(function (q) {
          if (got < subCounts[si] && take(q)) {
            got += 1;
          } else {
            rest.push(q);
          }
        });
      });
    });
    if (picked.length < n) {
      shuffled(rest, rng).forEach(function (q) {
        if (picked.length < n) take(q);
      });
    }
    return picked;
  }

  // ------------------------------------------------------------------ configure screen

  var settings = {
    count: null,
    timeLimit: null,
    shuffleQuestions: true,
    shuffleChoices: true,
    mode: "one",
    seed: ""
  };

  function defaultMinutes(count) {
    if (EXAM.minutes && EXAM.questions) return Math.max(1, Math.ceil((EXAM.minutes * count) / EXAM.questions));
    return null;
  }

  function configureScreen() {
    var section = el("section", { class: "card configure", "aria-labelledby": "configure-title" });
    section.appendChild(el("h2", { id: "configure-title", text: "Set up your practice test" }));
    section.appendChild(el("p", { class: "lead", text: bankSummary() }));
    var form = el("form", { novalidate: true });
    var errors = el("div", { class: "errors", id: "configure-errors", role: "alert" });
    var selection = FORM ? fixedSelection() : { allows: function () { return true; } };
    var countInput;
    var timeInput;
    var timeTouched = false;
    var availableNote = el("span", { class: "hint", id: "count-hint" });

    if (FORM) {
      form.appendChild(formFacts());
    } else if (BLUEPRINT || QUESTIONS.some(function (q) { return q.group !== OTHER; })) {
      var tree = outlinePicker(function () {
        refreshCount();
      });
      selection = tree.selection;
      form.appendChild(tree.node);
    }

    var testBox = el("fieldset", { class: "group" }, [el("legend", { text: "Test" })]);
    countInput = el("input", {
      id: "count",
      type: "number",
      inputmode: "numeric",
      "data-qbank": "count",
      "aria-describedby": "count-hint"
    });
    testBox.appendChild(
      el("div", { class: "field" }, [el("label", { for: "count", text: "Number of questions" }), countInput, availableNote])
    );
    timeInput = el("input", {
      id: "time-limit",
      type: "number",
      inputmode: "numeric",
      min: "1",
      max: "600",
      placeholder: "no limit",
      "data-qbank": "time-limit",
      "aria-describedby": "time-hint",
      oninput: function () {
        timeTouched = true;
      }
    });
    testBox.appendChild(
      el("div", { class: "field" }, [
        el("label", { for: "time-limit", text: "Time limit (minutes)" }),
        timeInput,
        el("span", { class: "hint", id: "time-hint", text: FORM ? "Fixed by the form." : "Leave empty for no time limit." })
      ])
    );

    var shuffleQ = checkbox("shuffle-questions", "Shuffle the order of the questions", settings.shuffleQuestions);
    var shuffleC = checkbox("shuffle-choices", "Shuffle the answer choices", settings.shuffleChoices);
    if (!FORM) testBox.appendChild(shuffleQ.node);
    testBox.appendChild(shuffleC.node);
    var seedInput = el("input", { id: "seed", type: "text", inputmode: "numeric", autocomplete: "off", "aria-describedby": "seed-hint", "data-qbank": "seed" });
    seedInput.value = settings.seed;
    testBox.appendChild(
      el("div", { class: "field" }, [
        el("label", { for: "seed", text: "Seed (optional)" }),
        seedInput,
        el("span", { class: "hint", id: "seed-hint", text: FORM ? "Shuffles the choices the same way each time." : "The same seed and settings give the same test." })
      ])
    );
    form.appendChild(testBox);

    var modeBox = el("fieldset", { class: "group" }, [el("legend", { text: "Layout" })]);
    var modeOne = radio("mode", "mode-one", "One question at a time, with a question palette", settings.mode === "one");
    var modeAll = radio("mode", "mode-all", "All questions on one page", settings.mode === "all");
    modeBox.appendChild(modeOne.node);
    modeBox.appendChild(modeAll.node);
    form.appendChild(modeBox);

    form.appendChild(errors);
    var start = el("button", { type: "submit", class: "primary big", "data-qbank": "start", text: "Start the test" });
    form.appendChild(el("div", { class: "actions" }, [start]));

    function limits() {
      var available = poolSize(selection);
      return { available: available, min: Math.min(MIN_COUNT, available), max: Math.min(MAX_COUNT, available) };
    }

    function refreshCount() {
      var l = limits();
      if (FORM) {
        countInput.value = String(l.available);
        countInput.readOnly = true;
        availableNote.textContent = "Fixed by the form.";
        return;
      }
      countInput.min = String(l.min);
      countInput.max = String(l.max);
      var current = parseInt(countInput.value, 10);
      if (isNaN(current)) current = settings.count || Math.min(EXAM.questions || 20, MAX_COUNT);
      var next = Math.max(l.min, Math.min(l.max, current));
      countInput.value = String(next);
      availableNote.textContent =
        l.available === 0
          ? "No questions match this selection."
          : plural(l.available, "question") + " match this selection; choose " + l.min + " to " + l.max + ".";
      start.disabled = l.available === 0;
      if (!timeTouched && settings.timeLimit === null) {
        var m = defaultMinutes(next);
        timeInput.value = m ? String(m) : "";
      }
    }

    countInput.addEventListener("input", function () {
      if (timeTouched || FORM) return;
      var n = parseInt(countInput.value, 10);
      var m = isNaN(n) ? null : defaultMinutes(n);
      if (m) timeInput.value = String(m);
    });

    if (FORM) {
      timeInput.value = FORM.time_limit ? String(FORM.time_limit) : "";
      timeInput.readOnly = true;
      if (!FORM.time_limit) timeInput.placeholder = "no limit";
    } else if (settings.timeLimit !== null) {
      timeInput.value = settings.timeLimit > 0 ? String(settings.timeLimit) : "";
      timeTouched = true;
    }
    if (settings.count !== null) countInput.value = String(settings.count);
    refreshCount();

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clear(errors);
      var l = limits();
      var problems = [];
      var count = parseInt(countInput.value, 10);
      if (!FORM && (!/^\s*\d+\s*$/.test(countInput.value) || count < l.min || count > l.max)) {
        problems.push(
          l.available === 0
            ? "Choose at least one domain or objective that has questions."
            : "Number of questions: enter a whole number from " + l.min + " to " + l.max + "."
        );
      }
      var minutes = null;
      if (!FORM && timeInput.value.trim() !== "") {
        minutes = Number(timeInput.value);
        if (!/^\s*\d+\s*$/.test(timeInput.value) || minutes < 1 || minutes > 600) {
          problems.push("Time limit: enter whole minutes from 1 to 600, or leave it empty for no limit.");
        }
      }
      if (FORM) minutes = FORM.time_limit || null;
      if (problems.length) {
        problems.forEach(function (p) {
          errors.appendChild(el("p", { text: p }));
        });
        var bad = problems[0].indexOf("Time") === 0 ? timeInput : countInput;
        bad.setAttribute("aria-invalid", "true");
        bad.focus();
        return;
      }
      settings.count = FORM ? null : count;
      settings.timeLimit = minutes === null ? 0 : minutes;
      settings.shuffleQuestions = !FORM && shuffleQ.input.checked;
      settings.shuffleChoices = shuffleC.input.checked;
      settings.mode = modeAll.input.checked ? "all" : "one";
      settings.seed = seedInput.value.trim();
      var seed = settings.seed === "" ? freshSeed() : seedFrom(settings.seed);
      var rng = generator(seed);
      var questions = FORM
        ? QUESTIONS.slice()
        : draw(count, selection, rng);
      if (settings.shuffleQuestions) questions = shuffled(questions, rng);
      else
        questions.sort(function (a, b) {
          return a.bankIndex - b.bankIndex;
        });
      startTest(questions, { seed: seed, minutes: minutes, rng: rng });
    });

    section.appendChild(form);
    show(section);
  }

  function bankSummary() {
    var parts = [];
    if (FORM) parts.push("A fixed practice form of " + plural(QUESTIONS.length, "question") + ".");
    else parts.push("This bank holds " + plural(QUESTIONS.length, "question") + ".");
    if (EXAM.questions) {
      var exam = "The real exam: " + plural(EXAM.questions, "question");
      if (EXAM.minutes) exam += " in " + EXAM.minutes + " minutes";
      parts.push(exam + ".");
    }
    var pass = passingScore();
    if (pass) parts.push("Passing score: " + formatNumber(pass) + "%.");
    return parts.join(" ");
  }

  function formFacts() {
    var box = el("div", { class: "facts", "data-qbank": "form-facts" });
    box.appendChild(el("h3", { text: FORM.title }));
    var list = el("ul");
    list.appendChild(el("li", { text: plural(QUESTIONS.length, "question") + ", in the order of the form" }));
    list.appendChild(el("li", { text: FORM.time_limit ? "Time limit: " + plural(FORM.time_limit, "minute") : "No time limit" }));
    var pass = passingScore();
    list.appendChild(el("li", { text: pass ? "Passing score: " + formatNumber(pass) + "%" : "No passing score" }));
    box.appendChild(list);
    return box;
  }

  function fixedSelection() {
    return {
      allows: function () {
        return true;
      }
    };
  }

  function checkbox(id, label, checked) {
    var input = el("input", { type: "checkbox", id: id });
    input.checked = checked;
    return { input: input, node: el("div", { class: "check" }, [input, el("label", { for: id, text: label })]) };
  }

  function radio(name, id, label, checked) {
    var input = el("input", { type: "radio", name: name, id: id });
    input.checked = checked;
    return { input: input, node: el("div", { class: "check" }, [input, el("label", { for: id, text: label })]) };
  }

  /* Domain checkboxes with their objectives nested; a domain box checks or clears all of its
   * objectives and shows "mixed" when only some are checked. */
  function outlinePicker(onChange) {
    var box = el("fieldset", { class: "group outline" }, [el("legend", { text: "Domains and objectives" })]);
    var counts = {};
    QUESTIONS.forEach(function (q) {
      counts[q.group] = (counts[q.group] || 0) + 1;
      if (q.objectiveKey !== null) counts["o:" + q.objectiveKey] = (counts["o:" + q.objectiveKey] || 0) + 1;
    });
    var domainBoxes = {};
    var objectiveBoxes = {};
    var list = el("ul", { class: "tree" });
    var domains = BLUEPRINT ? BLUEPRINT.domains.slice() : [];
    if (counts[OTHER]) domains.push({ id: OTHER, title: "", weight: 0, objectives: [] });
    domains.forEach(function (d, di) {
      var id = "dom-" + di;
      var input = el("input", { type: "checkbox", id: id, "data-qbank": "domain", "data-domain-id": d.id === OTHER ? "" : d.id });
      input.checked = true;
      domainBoxes[d.id] = input;
      var label = el("label", { for: id }, [
        el("span", { class: "name", text: domainTitle(d.id) }),
        el("span", { class: "meta", text: (d.id === OTHER ? "" : formatNumber(d.weight) + "% of the exam \u00b7 ") + plural(counts[d.id] || 0, "question") })
      ]);
      var item = el("li", { class: "domain" }, [el("div", { class: "check" }, [input, label])]);
      var sub = el("ul");
      d.objectives.forEach(function (o, oi) {
        var oid = "obj-" + di + "-" + oi;
        var oinput = el("input", { type: "checkbox", id: oid, "data-qbank": "objective", "data-objective-id": o.id });
        oinput.checked = true;
        objectiveBoxes[o.id] = oinput;
        oinput.addEventListener("change", function () {
          syncDomain(d);
          onChange();
        });
        sub.appendChild(
          el("li", {}, [
            el("div", { class: "check" }, [
              oinput,
              el("label", { for: oid }, [
                el("span", { class: "name", text: o.id + " " + o.title }),
                el("span", { class: "meta", text: plural(counts["o:" + o.id] || 0, "question") })
              ])
            ])
          ])
        );
      });
      input.addEventListener("change", function () {
        d.objectives.forEach(function (o) {
          objectiveBoxes[o.id].checked = input.checked;
        });
        input.indeterminate = false;
        onChange();
      });
      if (d.objectives.length) item.appendChild(sub);
      list.appendChild(item);
    });

    function syncDomain(d) {
      var on = d.objectives.filter(function (o) {
        return objectiveBoxes[o.id].checked;
      }).length;
      domainBoxes[d.id].checked = on > 0;
      domainBoxes[d.id].indeterminate = on > 0 && on < d.objectives.length;
    }

    function setAll(value) {
      domains.forEach(function (d) {
        domainBoxes[d.id].checked = value;
        domainBoxes[d.id].indeterminate = false;
        d.objectives.forEach(function (o) {
          objectiveBoxes[o.id].checked = value;
        });
      });
      onChange();
    }

    box.appendChild(
      el("div", { class: "inline-actions" }, [
        el("button", { type: "button", class: "link", text: "Select all", onclick: function () { setAll(true); } }),
        el("button", { type: "button", class: "link", text: "Clear all", onclick: function () { setAll(false); } })
      ])
    );
    box.appendChild(list);

    var selection = {
      allows: function (q) {
        var d = domainBoxes[q.group];
        if (!d || !(d.checked || d.indeterminate)) return false;
        if (q.objectiveKey !== null) return objectiveBoxes[q.objectiveKey].checked;
        return true;
      }
    };
    return { node: box, selection: selection };
  }

  // ------------------------------------------------------------------ taking the test

  var test = null;

  function startTest(questions, options) {
    test = {
      items: questions.map(function (q, i) {
        return makeItem(q, i, options.rng);
      }),
      current: 0,
      mode: settings.mode,
      seed: options.seed,
      minutes: options.minutes,
      startedAt: Date.now(),
      active: null,
      activeSince: null,
      deadline: options.minutes ? Date.now() + options.minutes * 60000 : null,
      timer: null,
      timedOut: false,
      done: false,
      lastAnnounced: null
    };
    buildTestScreen();
    if (test.deadline) {
      timerBox.hidden = false;
      tick();
      test.timer = window.setInterval(tick, 1000);
    }
  }

  /* Seconds spent per question: the question on screen (one at a time) or the one last worked on
   * (all on one page) collects the time, for the downloaded results. */
  function track(position) {
    var now = Date.now();
    if (test.active !== null && test.activeSince !== null) {
      test.items[test.active].time += (now - test.activeSince) / 1000;
    }
    test.active = position;
    test.activeSince = position === null ? null : now;
  }

  function makeItem(q, position, rng) {
    var item = { q: q, position: position, marked: false, touched: false, answer: null, time: 0 };
    var mayShuffle = settings.shuffleChoices && q.shuffle;
    if (q.choices) {
      var idx = q.choices.map(function (_, i) {
        return i;
      });
      item.choiceOrder = mayShuffle ? shuffled(idx, rng) : idx;
      item.answer = q.type === "multiple_response" ? [] : null;
      item.needed = q.choices.filter(function (c) {
        return c.correct;
      }).length;
    } else if (q.type === "matching") {
      var seen = {};
      var options = [];
      q.pairs
        .map(function (p) {
          return p.match;
        })
        .concat(q.distractors)
        .forEach(function (m) {
          if (!seen[m]) {
            seen[m] = true;
            options.push(m);
          }
        });
      // the bank lists matches in prompt order, which would give the answers away
      item.options = mayShuffle
        ? shuffled(options, rng)
        : options.slice().sort(function (a, b) {
            return a.localeCompare(b);
          });
      item.answer = q.pairs.map(function () {
        return "";
      });
    } else if (q.type === "cloze") {
      item.answer = q.gaps.map(function () {
        return "";
      });
      item.optionOrders = q.gaps.map(function (g) {
        if (g.kind !== "dropdown") return null;
        var idx = g.options.map(function (_, i) {
          return i;
        });
        return mayShuffle ? shuffled(idx, rng) : idx;
      });
    } else if (q.type === "ordering") {
      var order = q.order.map(function (_, i) {
        return i;
      });
      var start = shuffled(order, rng);
      if (start.every(function (v, i) { return v === i; })) start.push(start.shift());
      item.answer = start;
    } else {
      item.answer = q.type === "true_false" ? null : "";
    }
    return item;
  }

  function isAnswered(item) {
    var a = item.answer;
    switch (item.q.type) {
      case "multiple_response":
        return a.length > 0;
      case "matching":
        return a.some(function (m) {
          return m !== "";
        });
      case "ordering":
        return item.touched;
      case "cloze":
        return a.every(function (v) {
          return v !== "";
        });
      case "short_answer":
      case "numerical":
      case "essay":
        return a.trim() !== "";
      default:
        return a !== null;
    }
  }

  var testScreen = null;

  function buildTestScreen() {
    var section = el("section", { class: "test", "aria-labelledby": "test-title" });
    var heading = el("h2", { id: "test-title", class: "sr-only", text: "Practice test" });
    section.appendChild(heading);

    var toolbar = el("div", { class: "toolbar" });
    var progress = el("p", { class: "progress", "aria-live": "polite" });
    var modeButton = el("button", {
      type: "button",
      class: "secondary",
      "data-qbank": "layout",
      "aria-pressed": test.mode === "all" ? "true" : "false",
      text: "Show all questions on one page",
      onclick: function () {
        test.mode = test.mode === "all" ? "one" : "all";
        modeButton.setAttribute("aria-pressed", test.mode === "all" ? "true" : "false");
        render();
        focusQuestion(test.current);
      }
    });
    toolbar.appendChild(progress);
    toolbar.appendChild(modeButton);
    section.appendChild(toolbar);

    var palette = el("nav", { class: "palette", "aria-label": "Questions" });
    var paletteSummary = el("summary", { text: "All questions" });
    // long palettes would push the question below the fold on a phone: start folded there
    var wide = !window.matchMedia || window.matchMedia("(min-width: 601px)").matches;
    var paletteBox = el("details", { open: wide }, [paletteSummary]);
    var paletteList = el("ol");
    paletteBox.appendChild(paletteList);
    palette.appendChild(paletteBox);
    section.appendChild(palette);
    paletteBox.appendChild(
      el("p", { class: "legend hint" }, [
        el("span", { class: "swatch answered", "aria-hidden": "true" }),
        " answered ",
        el("span", { class: "swatch marked", "aria-hidden": "true" }),
        " marked for review ",
        el("span", { class: "swatch current", "aria-hidden": "true" }),
        " current"
      ])
    );

    var cards = el("div", { class: "cards" });
    test.items.forEach(function (item) {
      item.card = questionCard(item);
      item.card.addEventListener("focusin", function () {
        if (test.mode === "all" && test.active !== item.position) track(item.position);
      });
      cards.appendChild(item.card);
      var b = el("button", {
        type: "button",
        class: "pal",
        "data-qbank": "palette",
        onclick: function () {
          test.current = item.position;
          render();
          focusQuestion(item.position);
        }
      });
      item.paletteButton = b;
      paletteList.appendChild(el("li", {}, [b]));
    });
    section.appendChild(cards);

    var prev = el("button", {
      type: "button",
      class: "secondary",
      "data-qbank": "previous",
      text: "\u2190 Previous",
      onclick: function () {
        go(-1);
      }
    });
    var next = el("button", {
      type: "button",
      class: "primary",
      "data-qbank": "next",
      text: "Next \u2192",
      onclick: function () {
        go(1);
      }
    });
    var submit = el("button", {
      type: "button",
      class: "submit",
      "data-qbank": "submit",
      text: "Submit the test",
      onclick: function () {
        openConfirm();
      }
    });
    var nav = el("div", { class: "nav" }, [prev, next, submit]);
    section.appendChild(nav);

    var confirmBox = el("div", {
      class: "confirm",
      role: "region",
      "aria-labelledby": "confirm-title",
      hidden: true
    });
    section.appendChild(confirmBox);

    testScreen = {
      section: section,
      progress: progress,
      prev: prev,
      next: next,
      submit: submit,
      nav: nav,
      modeButton: modeButton,
      paletteSummary: paletteSummary,
      confirm: confirmBox
    };
    show(section);
    render();
    focusQuestion(0);
  }

  function go(step) {
    var target = test.current + step;
    if (target < 0 || target >= test.items.length) return;
    test.current = target;
    render();
    focusQuestion(target);
  }

  function focusQuestion(position) {
    var card = test.items[position].card;
    var heading = card.querySelector("h3");
    heading.focus();
    if (test.mode === "all") card.scrollIntoView({ block: "start" });
  }

  function render() {
    var all = test.mode === "all";
    var n = test.items.length;
    if (!all && test.active !== test.current) track(test.current);
    testScreen.section.classList.toggle("all", all);
    test.items.forEach(function (item, i) {
      item.card.hidden = !all && i !== test.current;
      var b = item.paletteButton;
      var answered = isAnswered(item);
      b.textContent = String(i + 1);
      b.className = "pal" + (answered ? " answered" : "") + (item.marked ? " marked" : "") + (i === test.current ? " current" : "");
      b.setAttribute(
        "aria-label",
        "Question " + (i + 1) + (answered ? ", answered" : ", not answered") + (item.marked ? ", marked for review" : "")
      );
      if (i === test.current && !all) b.setAttribute("aria-current", "step");
      else b.removeAttribute("aria-current");
    });
    var answeredCount = test.items.filter(isAnswered).length;
    testScreen.progress.textContent = all
      ? answeredCount + " of " + n + " answered"
      : "Question " + (test.current + 1) + " of " + n + " \u00b7 " + answeredCount + " answered";
    var markedCount = test.items.filter(function (i) { return i.marked; }).length;
    testScreen.paletteSummary.textContent =
      "All questions: " + answeredCount + " of " + n + " answered" + (markedCount ? ", " + markedCount + " marked" : "");
    testScreen.prev.hidden = all;
    testScreen.next.hidden = all;
    testScreen.prev.disabled = test.current === 0;
    testScreen.next.disabled = test.current === n - 1;
    testScreen.modeButton.textContent = all ? "Show one question at a time" : "Show all questions on one page";
  }

  function refreshStatus() {
    render();
  }

  function questionCard(item) {
    var q = item.q;
    var n = item.position + 1;
    var card = el("section", {
      class: "card question",
      "data-qbank": "question",
      "data-question-id": q.id,
      "data-question-type": q.type,
      "aria-labelledby": "qh-" + n
    });
    var mark = el("button", {
      type: "button",
      class: "mark",
      "data-qbank": "mark",
      "aria-pressed": "false",
      text: "Mark for review",
      onclick: function () {
        item.marked = !item.marked;
        mark.setAttribute("aria-pressed", item.marked ? "true" : "false");
        mark.textContent = item.marked ? "Marked for review" : "Mark for review";
        refreshStatus();
      }
    });
    var meta = [TYPE_NAMES[q.type]];
    if (q.type !== "essay") meta.push(plural(q.points, "point"));
    else meta.push("not scored");
    card.appendChild(
      el("div", { class: "q-head" }, [
        el("h3", { id: "qh-" + n, tabindex: "-1", text: "Question " + n + " of " + test.items.length }),
        el("span", { class: "q-meta", text: meta.join(" \u00b7 ") }),
        mark
      ])
    );
    var stem = el("div", { class: "stem", id: "stem-" + n, html: q.stem });
    if (q.type === "cloze") fillGaps(stem, item);
    card.appendChild(stem);
    card.appendChild(answerArea(item));
    return card;
  }

  /* Put an input (typed or number gap) or a select (drop-down) where each gap of a cloze text is. */
  function fillGaps(stem, item) {
    var q = item.q;
    var n = item.position + 1;
    Array.prototype.forEach.call(stem.querySelectorAll("span.gap[data-gap]"), function (slot) {
      var gi = Number(slot.getAttribute("data-gap"));
      var gap = q.gaps[gi];
      var label = "Gap " + (gi + 1) + " of " + q.gaps.length;
      var control;
      if (gap.kind === "dropdown") {
        control = el("select", { class: "gap-select", "aria-label": label, "data-qbank": "gap", "data-gap-index": String(gi), "data-gap-name": gap.name });
        control.appendChild(el("option", { value: "", text: "\u2014 choose \u2014" }));
        item.optionOrders[gi].forEach(function (oi) {
          control.appendChild(el("option", { value: String(oi), text: gap.options[oi].text }));
        });
        control.addEventListener("change", function () {
          item.answer[gi] = control.value;
          item.touched = true;
          refreshStatus();
        });
      } else {
        var longest = gap.kind === "text" ? Math.max.apply(null, gap.accept.map(function (t) { return t.length; })) : 8;
        control = el("input", {
          type: "text",
          class: "gap-input",
          size: String(Math.min(Math.max(longest + 2, 6), 40)),
          "aria-label": label + (gap.kind === "number" ? " (a number)" : ""),
          inputmode: gap.kind === "number" ? "decimal" : null,
          autocomplete: "off",
          autocapitalize: "off",
          spellcheck: "false",
          "data-qbank": "gap",
          "data-gap-index": String(gi),
          "data-gap-name": gap.name,
          id: "q" + n + "-g" + gi
        });
        control.addEventListener("input", function () {
          item.answer[gi] = control.value.trim() === "" ? "" : control.value;
          item.touched = true;
          refreshStatus();
        });
      }
      slot.parentNode.replaceChild(control, slot);
    });
  }

  function answerArea(item) {
    var q = item.q;
    var n = item.position + 1;
    var name = "q" + n;
    var changed = function () {
      item.touched = true;
      refreshStatus();
    };
    if (q.type === "single_choice" || q.type === "multiple_response") {
      var multi = q.type === "multiple_response";
      var legendText = multi ? "Select " + (NUMBER_WORDS[item.needed] || item.needed).toUpperCase() + " (" + item.needed + ")" : "Choose one answer";
      var box = el("fieldset", { class: "choices", "aria-describedby": "stem-" + n }, [el("legend", { text: legendText })]);
      var counter = multi ? el("p", { class: "hint counter", "aria-live": "polite" }) : null;
      var inputs = [];
      item.choiceOrder.forEach(function (ci, shown) {
        var id = name + "-c" + ci;
        var input = el("input", {
          type: multi ? "checkbox" : "radio",
          name: name,
          id: id,
          value: String(ci),
          "data-qbank": "choice",
          "data-choice-index": String(ci)
        });
        inputs.push(input);
        input.addEventListener("change", function () {
          if (multi) {
            var chosen = inputs.filter(function (x) { return x.checked; });
            if (chosen.length > item.needed) input.checked = false;
            item.answer = inputs
              .filter(function (x) { return x.checked; })
              .map(function (x) { return Number(x.value); })
              .sort(function (a, b) { return a - b; });
            limitChoices();
          } else {
            item.answer = ci;
          }
          changed();
        });
        box.appendChild(
          el("div", { class: "choice" }, [
            input,
            el("label", { for: id }, [
              el("span", { class: "letter", "aria-hidden": "true", text: String.fromCharCode(65 + shown) }),
              el("span", { class: "choice-text", html: q.choices[ci].html })
            ])
          ])
        );
      });
      function limitChoices() {
        var full = item.answer.length >= item.needed;
        inputs.forEach(function (x) {
          x.disabled = full && !x.checked;
        });
        counter.textContent =
          item.answer.length + " of " + item.needed + " selected" + (full ? ": clear one to pick another." : ".");
      }
      if (multi) {
        box.appendChild(counter);
        limitChoices();
      }
      return box;
    }
    if (q.type === "cloze") {
      var kinds = q.gaps.some(function (g) { return g.kind === "text" && g.case_sensitive; })
        ? " Capitalisation counts where the answer says so."
        : "";
      return el("p", {
        class: "hint",
        id: name + "-hint",
        text: (q.gaps.length === 1 ? "Fill in the gap in the text." : "Fill in each of the " + q.gaps.length + " gaps in the text; each right gap scores its points.") + kinds
      });
    }
    if (q.type === "true_false") {
      var tf = el("fieldset", { class: "choices", "aria-describedby": "stem-" + n }, [el("legend", { text: "True or false?" })]);
      [true, false].forEach(function (value, i) {
        var id = name + "-tf" + i;
        var input = el("input", { type: "radio", name: name, id: id, "data-qbank": "choice", "data-choice-index": String(i) });
        input.addEventListener("change", function () {
          item.answer = value;
          changed();
        });
        tf.appendChild(el("div", { class: "choice" }, [input, el("label", { for: id }, [el("span", { class: "choice-text", text: value ? "True" : "False" })])]));
      });
      return tf;
    }
    if (q.type === "short_answer" || q.type === "numerical") {
      var numeric = q.type === "numerical";
      var input = el("input", {
        type: "text",
        id: name + "-a",
        "data-qbank": "answer",
        inputmode: numeric ? "decimal" : null,
        autocomplete: "off",
        autocapitalize: "off",
        spellcheck: "false",
        "aria-describedby": "stem-" + n + " " + name + "-hint"
      });
      input.addEventListener("input", function () {
        item.answer = input.value;
        changed();
      });
      var hint = numeric ? "Enter a number." : q.case_sensitive ? "Capitalisation counts." : "Capitalisation does not count.";
      return el("div", { class: "field answer" }, [
        el("label", { for: name + "-a", text: "Your answer" }),
        input,
        el("span", { class: "hint", id: name + "-hint", text: hint })
      ]);
    }
    if (q.type === "matching") {
      var table = el("div", { class: "matching", role: "group", "aria-describedby": "stem-" + n });
      q.pairs.forEach(function (pair, pi) {
        var pid = name + "-p" + pi;
        var select = el("select", { id: pid + "-s", "aria-labelledby": pid, "data-qbank": "match", "data-pair-index": String(pi) });
        select.appendChild(el("option", { value: "", text: "\u2014 choose \u2014" }));
        item.options.forEach(function (opt) {
          select.appendChild(el("option", { value: opt, text: opt }));
        });
        select.addEventListener("change", function () {
          item.answer[pi] = select.value;
          changed();
        });
        table.appendChild(el("div", { class: "pair" }, [el("div", { class: "prompt", id: pid, html: pair.prompt }), select]));
      });
      return table;
    }
    if (q.type === "ordering") {
      var wrap = el("div", { class: "ordering" }, [
        el("p", { class: "hint", id: name + "-oh", text: "Put the items in order with the Up and Down buttons (first at the top)." })
      ]);
      var list = el("ol", { class: "order-list", "aria-describedby": name + "-oh" });
      wrap.appendChild(list);
      var drawList = function (focusItem, focusDir) {
        clear(list);
        item.answer.forEach(function (oi, pos) {
          var text = q.order[oi];
          var up = el("button", {
            type: "button",
            class: "move",
            "data-qbank": "move-up",
            "aria-label": "Move \u201c" + text + "\u201d up",
            disabled: pos === 0,
            text: "\u2191",
            onclick: function () {
              move(pos, -1);
            }
          });
          var down = el("button", {
            type: "button",
            class: "move",
            "data-qbank": "move-down",
            "aria-label": "Move \u201c" + text + "\u201d down",
            disabled: pos === item.answer.length - 1,
            text: "\u2193",
            onclick: function () {
              move(pos, 1);
            }
          });
          list.appendChild(
            el("li", { class: "order-item", "data-qbank": "order-item", "data-item-index": String(oi) }, [
              el("span", { class: "order-pos", "aria-hidden": "true", text: pos + 1 + "." }),
              el("span", { class: "order-text", text: text }),
              el("span", { class: "order-buttons" }, [up, down])
            ])
          );
          if (oi === focusItem) {
            var target = focusDir < 0 ? up : down;
            if (target.disabled) target = focusDir < 0 ? down : up;
            window.setTimeout(function () {
              target.focus();
            }, 0);
          }
        });
      };
      var move = function (pos, dir) {
        var to = pos + dir;
        if (to < 0 || to >= item.answer.length) return;
        var moved = item.answer[pos];
        item.answer[pos] = item.answer[to];
        item.answer[to] = moved;
        drawList(moved, dir);
        announce("\u201c" + q.order[moved] + "\u201d is now item " + (to + 1) + " of " + item.answer.length + ".");
        changed();
      };
      drawList(null, 0);
      return wrap;
    }
    // essay
    var area = el("textarea", { id: name + "-a", rows: "6", "data-qbank": "answer", "aria-describedby": "stem-" + n + " " + name + "-hint" });
    area.addEventListener("input", function () {
      item.answer = area.value;
      changed();
    });
    return el("div", { class: "field answer" }, [
      el("label", { for: name + "-a", text: "Your answer" }),
      area,
      el("span", { class: "hint", id: name + "-hint", text: "Essay questions are not scored: compare your answer with the explanation in the review." })
    ]);
  }

  function openConfirm() {
    var box = testScreen.confirm;
    var unanswered = test.items.filter(function (i) { return !isAnswered(i); }).length;
    var marked = test.items.filter(function (i) { return i.marked; }).length;
    clear(box);
    var parts = [];
    parts.push(unanswered ? plural(unanswered, "question is", "questions are") + " not answered" : "Every question is answered");
    if (marked) parts.push(plural(marked, "question is", "questions are") + " marked for review");
    box.appendChild(el("h3", { id: "confirm-title", text: "Submit your answers?" }));
    box.appendChild(el("p", { text: parts.join("; ") + ". You cannot change your answers after submitting." }));
    var yes = el("button", { type: "button", class: "submit", "data-qbank": "confirm", text: "Submit now", onclick: function () { finish(false); } });
    var no = el("button", {
      type: "button",
      class: "secondary",
      "data-qbank": "cancel",
      text: "Keep working",
      onclick: function () {
        box.hidden = true;
        testScreen.submit.focus();
      }
    });
    box.appendChild(el("div", { class: "actions" }, [yes, no]));
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
    yes.focus();
  }

  function clock(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var h = Math.floor(total / 3600);
    var m = Math.floor((total % 3600) / 60);
    var s = total % 60;
    var two = function (x) {
      return (x < 10 ? "0" : "") + x;
    };
    return (h ? h + ":" + two(m) : String(m)) + ":" + two(s);
  }

  function tick() {
    if (!test || test.done || !test.deadline) return;
    var left = test.deadline - Date.now();
    timerBox.textContent = clock(left) + " left";
    timerBox.classList.toggle("low", left <= 60000);
    var minutesLeft = Math.ceil(left / 60000);
    if ([10, 5, 1].indexOf(minutesLeft) >= 0 && test.lastAnnounced !== minutesLeft && left > 0) {
      test.lastAnnounced = minutesLeft;
      announce(plural(minutesLeft, "minute") + " left.");
    }
    if (left <= 0) {
      test.timedOut = true;
      finish(true);
    }
  }

  // ------------------------------------------------------------------ scoring

  function normalText(s) {
    return String(s).trim().replace(/\s+/g, " ");
  }

  function parseNumber(text) {
    var t = String(text).trim().replace(/\s+/g, "");
    if (t.indexOf(",") >= 0 && t.indexOf(".") < 0) t = t.replace(",", ".");
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return null;
    return Number(t);
  }

  function gapRight(gap, given) {
    if (given === "") return false;
    if (gap.kind === "dropdown") return gap.options[Number(given)].correct;
    if (gap.kind === "number") {
      var x = parseNumber(given);
      if (x === null) return false;
      return Math.abs(x - gap.answer) <= gap.tolerance + 1e-9 * Math.max(1, Math.abs(gap.answer));
    }
    var typed = normalText(given);
    return gap.accept.some(function (acc) {
      var want = normalText(acc);
      return gap.case_sensitive ? want === typed : want.toLowerCase() === typed.toLowerCase();
    });
  }

  /* true, false, or null for a question that is not scored (essay); item.earned holds the points won */
  function grade(item) {
    var q = item.q;
    var a = item.answer;
    if (q.type === "cloze") {
      item.gapRight = q.gaps.map(function (g, i) {
        return gapRight(g, a[i]);
      });
      item.earned = q.gaps.reduce(function (sum, g, i) {
        return sum + (item.gapRight[i] ? g.points : 0);
      }, 0);
      return item.gapRight.every(function (ok) { return ok; });
    }
    switch (q.type) {
      case "single_choice":
        return a !== null && q.choices[a].correct;
      case "multiple_response":
        var keys = q.choices
          .map(function (c, i) { return c.correct ? i : -1; })
          .filter(function (i) { return i >= 0; });
        return a.length === keys.length && a.every(function (v, i) { return v === keys[i]; });
      case "true_false":
        return a === q.answer;
      case "short_answer":
        var given = normalText(a);
        if (given === "") return false;
        return q.accept.some(function (acc) {
          var want = normalText(acc);
          return q.case_sensitive ? want === given : want.toLowerCase() === given.toLowerCase();
        });
      case "numerical":
        var x = parseNumber(a);
        if (x === null) return false;
        var slack = 1e-9 * Math.max(1, Math.abs(q.answer));
        return Math.abs(x - q.answer) <= q.tolerance + slack;
      case "matching":
        return q.pairs.every(function (p, i) { return a[i] === p.match; });
      case "ordering":
        return a.every(function (v, i) { return v === i; });
      default:
        return null;
    }
  }

  function finish(timedOut) {
    if (test.done) return;
    test.done = true;
    test.finishedAt = Date.now();
    track(null);
    if (test.timer !== null) window.clearInterval(test.timer);
    timerBox.hidden = true;
    test.items.forEach(function (item) {
      item.correct = grade(item);
      if (item.earned === undefined) item.earned = item.correct ? item.q.points : 0;
    });
    resultScreen(timedOut);
    if (timedOut) announce("Time is up. Your test was submitted.");
  }

  function tally() {
    var total = 0;
    var earned = 0;
    var essays = 0;
    var groups = [];
    var byGroup = {};
    test.items.forEach(function (item) {
      var q = item.q;
      if (item.correct === null) {
        essays += 1;
        return;
      }
      total += q.points;
      earned += item.earned;
      var key = q.reportGroup;
      if (!byGroup[key]) {
        byGroup[key] = { id: key, total: 0, earned: 0, right: 0, count: 0 };
        groups.push(byGroup[key]);
      }
      var g = byGroup[key];
      g.total += q.points;
      g.count += 1;
      g.earned += item.earned;
      if (item.correct) g.right += 1;
    });
    var order = BLUEPRINT ? BLUEPRINT.domains.map(function (d) { return d.id; }) : [];
    order.push(OTHER);
    var rank = function (id) {
      var at = order.indexOf(id);
      return at >= 0 ? at : -1;
    };
    groups.sort(function (a, b) {
      var ra = rank(a.id);
      var rb = rank(b.id);
      if (ra >= 0 && rb >= 0) return ra - rb;
      if (ra >= 0 || rb >= 0) return ra >= 0 ? -1 : 1;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
    return { total: total, earned: earned, essays: essays, groups: groups, percent: total ? (100 * earned) / total : 0 };
  }

  // ------------------------------------------------------------------ result and review

  function resultScreen(timedOut) {
    var t = tally();
    var section = el("section", { class: "result", "aria-labelledby": "result-title" });
    var summary = el("div", { class: "card summary" });
    summary.appendChild(el("h2", { id: "result-title", text: "Your result" }));
    if (timedOut) summary.appendChild(el("p", { class: "notice", "data-qbank": "timed-out", text: "Time is up: the test was submitted automatically." }));
    var pass = passingScore();
    var passed = pass !== null && t.total > 0 ? t.percent + 1e-9 >= pass : null;
    var scoreLine = el("div", { class: "score-line" }, [
      el("p", { class: "score", "data-qbank": "score", text: t.total ? formatPercent(t.percent) : "\u2014" }),
      passed === null
        ? null
        : el("p", { class: "verdict " + (passed ? "pass" : "fail"), "data-qbank": "verdict", text: passed ? "Pass" : "Not yet a pass" })
    ]);
    summary.appendChild(scoreLine);
    var facts = [];
    facts.push(formatNumber(t.earned) + " of " + plural(Number(formatNumber(t.total)), "point") + " (" + test.items.filter(function (i) { return i.correct; }).length + " of " + (test.items.length - t.essays) + " scored questions right)");
    if (pass !== null) facts.push("Passing score: " + formatNumber(pass) + "%");
    facts.push("Time used: " + clock(test.finishedAt - test.startedAt));
    if (!FORM) facts.push("Seed: " + test.seed);
    summary.appendChild(el("ul", { class: "facts-list" }, facts.map(function (f) { return el("li", { text: f }); })));
    if (t.essays) {
      summary.appendChild(
        el("p", {
          class: "notice",
          "data-qbank": "essay-note",
          text: plural(t.essays, "essay question") + " " + (t.essays === 1 ? "is" : "are") + " not scored and not part of the percentage: compare your answer with the explanation below."
        })
      );
    }
    if (!t.total) summary.appendChild(el("p", { class: "notice", text: "No question of this test is scored automatically." }));

    if (t.groups.length) {
      var table = el("table", { class: "breakdown", "data-qbank": "breakdown" });
      table.appendChild(el("caption", { text: t.groups.length === 1 && t.groups[0].id === OTHER ? "All questions" : "By domain" }));
      table.appendChild(el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: "Domain" }), el("th", { scope: "col", text: "Right" }), el("th", { scope: "col", text: "Score" })])]));
      var body = el("tbody");
      t.groups.forEach(function (g) {
        var pct = g.total ? (100 * g.earned) / g.total : 0;
        var bar = el("span", { class: "meter", "aria-hidden": "true" }, [el("span", { style: "width:" + Math.round(pct) + "%" })]);
        body.appendChild(
          el("tr", { "data-qbank": "domain-score", "data-domain-id": g.id === OTHER ? "" : g.id.replace(/^d:/, "") }, [
            el("th", { scope: "row", text: domainTitle(g.id) }),
            el("td", { text: g.right + " / " + g.count }),
            el("td", {}, [bar, el("span", { class: "pct", text: formatPercent(pct) })])
          ])
        );
      });
      table.appendChild(body);
      summary.appendChild(el("div", { class: "table-wrap" }, [table]));
    }

    var onlyWrong = checkbox("only-wrong", "Show only questions I got wrong or left out", false);
    var actions = el("div", { class: "actions" }, [
      el("button", { type: "button", class: "primary", "data-qbank": "restart", text: "New test", onclick: function () { test = null; configureScreen(); } }),
      el("button", {
        type: "button",
        class: "secondary",
        "data-qbank": "retake",
        text: "Retake these questions",
        onclick: function () {
          var qs = test.items.map(function (i) { return i.q; });
          var seed = freshSeed();
          startTest(qs, { seed: seed, minutes: test.minutes, rng: generator(seed) });
        }
      })
    ]);
    summary.appendChild(actions);
    summary.appendChild(downloadBox());
    section.appendChild(summary);

    var review = el("section", { class: "review", "aria-labelledby": "review-title" });
    review.appendChild(el("h2", { id: "review-title", text: "Review" }));
    review.appendChild(onlyWrong.node);
    var entries = test.items.map(reviewEntry);
    entries.forEach(function (e) {
      review.appendChild(e);
    });
    onlyWrong.input.addEventListener("change", function () {
      entries.forEach(function (e) {
        e.hidden = onlyWrong.input.checked && e.getAttribute("data-result") === "correct";
      });
    });
    section.appendChild(review);
    show(section);
  }

  /* The response in qbank's results encoding: 1-based choice positions in the bank's order joined by
   * ";", true/false, the typed text, the matches in prompt order, the item positions in the order
   * given, a cloze question's gaps in text order; "" when the question was left unanswered. */
  function encodeResponse(item) {
    var q = item.q;
    var a = item.answer;
    if (q.type === "cloze") {
      // each gap in text order: a drop-down's 1-based option position in the bank's order, else the text
      if (a.every(function (v) { return v === ""; })) return "";
      return a
        .map(function (v, i) {
          if (v === "") return "";
          return q.gaps[i].kind === "dropdown" ? String(Number(v) + 1) : String(v).trim();
        })
        .join(";");
    }
    if (!isAnswered(item)) return "";
    switch (q.type) {
      case "single_choice":
        return String(a + 1);
      case "multiple_response":
        return a.map(function (i) { return String(i + 1); }).join(";");
      case "true_false":
        return a ? "true" : "false";
      case "matching":
        return a.join(";");
      case "ordering":
        return a.map(function (i) { return String(i + 1); }).join(";");
      default:
        return String(a).trim();
    }
  }

  function resultsDocument(name) {
    return {
      format: "qbank-results",
      version: 1,
      bank: DATA.bank || DATA.title,
      title: DATA.title,
      form: FORM ? FORM.title : null,
      seed: FORM ? null : test.seed,
      name: name || null,
      started: new Date(test.startedAt).toISOString(),
      finished: new Date(test.finishedAt).toISOString(),
      items: test.items.map(function (item) {
        return {
          id: item.q.id,
          response: encodeResponse(item),
          score: item.correct === null ? null : item.earned,
          points: item.q.points,
          time: Math.round(item.time * 10) / 10
        };
      })
    };
  }

  /* "Download results": a JSON file for qbank stats; nothing leaves the device otherwise. */
  function downloadBox() {
    var nameInput = el("input", { id: "results-name", type: "text", autocomplete: "off", maxlength: "100", "data-qbank": "results-name", "aria-describedby": "results-hint" });
    var button = el("button", {
      type: "button",
      class: "secondary",
      "data-qbank": "download-results",
      text: "Download results",
      onclick: function () {
        var doc = resultsDocument(nameInput.value.trim());
        var blob = new Blob([JSON.stringify(doc, null, 2) + "\n"], { type: "application/json" });
        var url = URL.createObjectURL(blob);
        var stamp = doc.finished.replace(/[:.]/g, "-");
        var slug = String(doc.bank).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "practice";
        var link = el("a", { href: url, download: "results-" + slug + "-" + stamp + ".json" });
        document.body.appendChild(link);
        link.click();
        document.body.removeChild(link);
        window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
        announce("Results downloaded.");
      }
    });
    return el("div", { class: "field results-download" }, [
      el("label", { for: "results-name", text: "Your name (optional)" }),
      nameInput,
      button,
      el("span", { class: "hint", id: "results-hint", text: "Your answers, scores and times as a file for your teacher's item analysis (qbank stats). Nothing is sent anywhere." })
    ]);
  }

  function status(item) {
    if (item.correct === null) return ["unscored", "Not scored"];
    if (item.correct) return ["correct", "Correct"];
    if (item.earned > 0) return ["partial", "Partly right: " + formatNumber(item.earned) + " of " + plural(item.q.points, "point")];
    return isAnswered(item) ? ["incorrect", "Incorrect"] : ["incorrect", "Not answered"];
  }

  function tag(text, kind) {
    return el("span", { class: "tag " + kind, text: text });
  }

  function reviewEntry(item) {
    var q = item.q;
    var st = status(item);
    var n = item.position + 1;
    var entry = el("article", {
      class: "card rv " + st[0],
      "data-qbank": "review",
      "data-question-id": q.id,
      "data-result": st[0],
      "aria-labelledby": "rv-" + n
    });
    entry.appendChild(
      el("div", { class: "q-head" }, [
        el("h3", { id: "rv-" + n, text: "Question " + n }),
        el("span", { class: "status " + st[0], text: st[1] }),
        item.marked ? tag("marked for review", "marked") : null,
        el("span", { class: "q-meta", text: domainTitle(q.reportGroup) + (q.objective ? " \u00b7 " + q.objective : "") })
      ])
    );
    var stem = el("div", { class: "stem", html: q.stem });
    if (q.type === "cloze") reviewGaps(stem, item);
    entry.appendChild(stem);
    entry.appendChild(reviewAnswer(item));
    if (q.explanation) {
      entry.appendChild(el("div", { class: "explanation", "data-qbank": "explanation" }, [el("h4", { text: q.type === "essay" ? "Model answer and explanation" : "Explanation" }), el("div", { html: q.explanation })]));
    }
    if (q.references.length) {
      var refs = el("ul", { class: "refs" });
      q.references.forEach(function (url) {
        var link = el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: url });
        refs.appendChild(el("li", {}, [link]));
      });
      entry.appendChild(el("div", { class: "references", "data-qbank": "references" }, [el("h4", { text: "References" }), refs]));
    }
    if (q.followups.length) {
      entry.appendChild(
        el("div", { class: "followups", "data-qbank": "followups" }, [
          el("h4", { text: "Explore next" }),
          el("ul", {}, q.followups.map(function (f) { return el("li", { text: f }); }))
        ])
      );
    }
    return entry;
  }

  function gapAnswerText(gap, given) {
    if (given === "") return "not answered";
    return gap.kind === "dropdown" ? gap.options[Number(given)].text : normalText(given);
  }

  function gapKeyText(gap) {
    if (gap.kind === "dropdown") {
      return gap.options.filter(function (o) { return o.correct; })[0].text;
    }
    if (gap.kind === "number") return String(gap.answer) + (gap.tolerance ? " (\u00b1 " + gap.tolerance + ")" : "");
    return gap.accept.join(" \u00b7 ") + (gap.case_sensitive ? " (capitalisation counts)" : "");
  }

  /* In the reviewed text each gap shows the learner's answer, marked, and the right one when it differs. */
  function reviewGaps(stem, item) {
    var q = item.q;
    Array.prototype.forEach.call(stem.querySelectorAll("span.gap[data-gap]"), function (slot) {
      var gi = Number(slot.getAttribute("data-gap"));
      var gap = q.gaps[gi];
      var ok = item.gapRight[gi];
      var shown = el("span", { class: "gap-review " + (ok ? "ok" : "bad"), "data-qbank": "gap-review", "data-gap-index": String(gi), "data-result": ok ? "correct" : "incorrect" }, [
        el("span", { class: "given", text: gapAnswerText(gap, item.answer[gi]) + (ok ? " \u2713" : " \u2717") })
      ]);
      if (!ok) shown.appendChild(el("span", { class: "want", text: " " + gapKeyText(gap) }));
      slot.parentNode.replaceChild(shown, slot);
    });
  }

  function reviewAnswer(item) {
    var q = item.q;
    var a = item.answer;
    if (q.type === "cloze") {
      var gapTable = el("table", { class: "rv-table", "data-qbank": "gap-table" });
      gapTable.appendChild(el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: "Gap" }), el("th", { scope: "col", text: "Your answer" }), el("th", { scope: "col", text: "Correct answer" }), el("th", { scope: "col", text: "Points" })])]));
      var gapBody = el("tbody");
      q.gaps.forEach(function (gap, gi) {
        var ok = item.gapRight[gi];
        gapBody.appendChild(
          el("tr", { class: ok ? "ok" : "bad", "data-qbank": "gap-row", "data-result": ok ? "correct" : "incorrect" }, [
            el("td", { text: String(gi + 1) }),
            el("td", { text: gapAnswerText(gap, a[gi]) + (ok ? " \u2713" : " \u2717") }),
            el("td", { text: gapKeyText(gap) }),
            el("td", { text: formatNumber(ok ? gap.points : 0) + " / " + formatNumber(gap.points) })
          ])
        );
        var picked = gap.kind === "dropdown" && a[gi] !== "" ? gap.options[Number(a[gi])].feedback : null;
        [picked, gap.feedback].forEach(function (html) {
          if (html) gapBody.appendChild(el("tr", { class: "gap-feedback" }, [el("td", {}), el("td", { colspan: "3", class: "feedback", html: html })]));
        });
      });
      gapTable.appendChild(gapBody);
      return el("div", { class: "table-wrap" }, [gapTable]);
    }
    if (q.choices) {
      var chosen = q.type === "multiple_response" ? a : a === null ? [] : [a];
      var list = el("ul", { class: "rv-choices" });
      item.choiceOrder.forEach(function (ci, shown) {
        var c = q.choices[ci];
        var picked = chosen.indexOf(ci) >= 0;
        var cls = "rv-choice" + (c.correct ? " key" : "") + (picked ? " picked" : "") + (picked && !c.correct ? " wrong" : "");
        var tags = el("span", { class: "tags" }, [picked ? tag("your answer", picked && c.correct ? "good" : "bad") : null, c.correct ? tag("correct answer", "key") : null]);
        var li = el("li", { class: cls, "data-choice-index": String(ci) }, [
          el("div", { class: "rv-choice-line" }, [el("span", { class: "letter", "aria-hidden": "true", text: String.fromCharCode(65 + shown) }), el("span", { class: "choice-text", html: c.html }), tags])
        ]);
        if (c.feedback) li.appendChild(el("div", { class: "feedback", html: c.feedback }));
        list.appendChild(li);
      });
      return list;
    }
    var rows = [];
    if (q.type === "true_false") {
      rows.push(["Your answer", a === null ? "not answered" : a ? "True" : "False"]);
      rows.push(["Correct answer", q.answer ? "True" : "False"]);
    } else if (q.type === "short_answer") {
      rows.push(["Your answer", normalText(a) || "not answered"]);
      rows.push([q.accept.length > 1 ? "Accepted answers" : "Accepted answer", q.accept.join(" \u00b7 ") + (q.case_sensitive ? " (capitalisation counts)" : "")]);
    } else if (q.type === "numerical") {
      rows.push(["Your answer", normalText(a) || "not answered"]);
      rows.push(["Correct answer", String(q.answer) + (q.tolerance ? " (\u00b1 " + q.tolerance + ")" : "")]);
    } else if (q.type === "essay") {
      rows.push(["Your answer", a.trim() || "not answered"]);
    }
    if (rows.length) {
      return el(
        "dl",
        { class: "rv-answer" },
        rows.reduce(function (acc, r) {
          return acc.concat([el("dt", { text: r[0] }), el("dd", { class: "pre", text: r[1] })]);
        }, [])
      );
    }
    if (q.type === "matching") {
      var table = el("table", { class: "rv-table" });
      table.appendChild(el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: "Prompt" }), el("th", { scope: "col", text: "Your match" }), el("th", { scope: "col", text: "Correct match" })])]));
      var body = el("tbody");
      q.pairs.forEach(function (p, i) {
        var ok = a[i] === p.match;
        body.appendChild(
          el("tr", { class: ok ? "ok" : "bad" }, [
            el("td", { html: p.prompt }),
            el("td", { text: (a[i] || "not answered") + (ok ? " \u2713" : " \u2717") }),
            el("td", { text: p.match })
          ])
        );
      });
      table.appendChild(body);
      return el("div", { class: "table-wrap" }, [table]);
    }
    // ordering
    return el("div", { class: "rv-orders" }, [
      el("div", {}, [
        el("h4", { text: "Your order" }),
        el("ol", {}, a.map(function (oi, pos) { return el("li", { class: oi === pos ? "ok" : "bad", text: q.order[oi] + (oi === pos ? " \u2713" : " \u2717") }); }))
      ]),
      el("div", {}, [el("h4", { text: "Correct order" }), el("ol", {}, q.order.map(function (t) { return el("li", { text: t }); }))])
    ]);
  }

  configureScreen();
})();
