// stele's search: reads the static index a build writes beside each
// language's search page (see src/search/mod.rs for its files) and shows
// the results. No dependencies. The tokenizer below follows the same rules
// as src/search/tokenize.rs; tests/fixtures/search_vectors.json holds both to them.
(function () {
  'use strict';

  // ---- The tokenizer (the rules are in src/search/tokenize.rs) ----
  var ELISIONS = 'l d j m n s t c qu jusqu lorsqu puisqu quoiqu'.split(' ');
  var STOP = {
    english: 'an and are as at be but by for from has have he her his in into is it its no not of on or our she so that the their them there these they this to was we were which who will with you'.split(' '),
    french: 'au aux avec ce ces cette dans de des du elle en est et il ils la le les leur leurs lui ne nous on ou par pas pour qu que qui sa se ses son sont sur ta te tes ton un une vos votre vous'.split(' ')
  };
  var FOLD = { 'œ': 'oe', 'æ': 'ae', 'ß': 'ss', 'ø': 'o', 'đ': 'd', 'ł': 'l', 'ı': 'i' };
  var LETTER = /[\p{Alphabetic}\p{N}]/u;

  function isHan(ch) {
    var c = ch.codePointAt(0);
    return (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x323af);
  }
  function isWord(ch) { return LETTER.test(ch) && !isHan(ch); }
  function isApostrophe(ch) { return ch === "'" || ch === '\u2019'; }
  function family(lang) {
    var p = String(lang).split(/[-_]/)[0].toLowerCase();
    return p === 'en' ? 'english' : p === 'fr' ? 'french' : null;
  }
  function fold(lower) {
    if (/^[\x00-\x7f]*$/.test(lower)) return lower;
    return lower.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[œæßøđłı]/g, function (c) { return FOLD[c]; });
  }

  // Walks `text` (NFC, as an array of code points): `han(start, end)` for
  // each run of Han characters, `piece(start, end)` for each word piece kept
  // by the apostrophe and elision rules.
  function scan(chars, fam, han, piece) {
    var n = chars.length, i = 0;
    while (i < n) {
      var start = i;
      if (isHan(chars[i])) {
        while (i < n && isHan(chars[i])) i++;
        han(start, i);
      } else if (isWord(chars[i])) {
        while (i < n && (isWord(chars[i]) || (isApostrophe(chars[i]) && i + 1 < n && isWord(chars[i + 1])))) i++;
        var from = start;
        for (var j = start; j <= i; j++) {
          if (j === i || isApostrophe(chars[j])) {
            var last = j === i;
            var text = chars.slice(from, j).join('');
            if (last || fam !== 'french' || ELISIONS.indexOf(fold(text.toLowerCase())) < 0) piece(from, j, text);
            from = j + 1;
          }
        }
      } else {
        i++;
      }
    }
  }

  function Tokenizer(lang) {
    var fam = family(lang);
    this.fam = fam;
    this.stem = fam ? steleStem[fam] : null;
    this.stop = fam ? STOP[fam] : [];
  }
  // The term of one word piece, or null.
  Tokenizer.prototype.word = function (piece) {
    var exact = piece.toLowerCase(), folded = fold(exact);
    if (Array.from(folded).length < 2 || this.stop.indexOf(folded) >= 0) return null;
    var key = this.stem && !/[0-9]/.test(folded) ? this.stem(folded) : folded;
    return { key: key, word: folded, exact: exact };
  };
  Tokenizer.prototype.tokenize = function (text) {
    var chars = Array.from(String(text).normalize('NFC')), out = [], self = this;
    scan(chars, this.fam, function (s, e) {
      for (var j = s; j < e; j++) {
        out.push({ key: chars[j], word: chars[j], exact: chars[j] });
        if (j + 1 < e) { var two = chars[j] + chars[j + 1]; out.push({ key: two, word: two, exact: two }); }
      }
    }, function (s, e, text) {
      var t = self.word(text);
      if (t) out.push(t);
    });
    return out;
  };

  // ---- The index ----
  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // A document set (src/search/mod.rs, encode_set) -> sorted ids.
  function decodeSet(s) {
    var ids = [], i;
    if (!s) return ids;
    if (s.charAt(0) === '~') {
      for (i = 1; i < s.length; i += 4) {
        var v = 0;
        for (var k = 0; k < 4; k++) v = (v << 6) | B64.indexOf(s.charAt(i + k));
        var base = ((i - 1) / 4) * 24;
        for (var b = 0; b < 3; b++) {
          var byte = (v >> (16 - 8 * b)) & 255;
          for (var bit = 0; bit < 8; bit++) if (byte & (1 << bit)) ids.push(base + b * 8 + bit);
        }
      }
      return ids;
    }
    var last = -1, gap = 0, shift = 0;
    for (i = 0; i < s.length; i++) {
      var d = B64.indexOf(s.charAt(i));
      gap += (d & 31) * Math.pow(2, shift);
      if (d & 32) { shift += 5; continue; }
      last += gap + 1;
      ids.push(last);
      gap = 0; shift = 0;
    }
    return ids;
  }
  // The first `han` chunks hold the single Han characters, the others every other term.
  function chunkOf(key, chunks, han) {
    var bytes = new TextEncoder().encode(key), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    han = Math.min(han || 0, Math.max(0, chunks - 1));
    var chars = Array.from(key);
    if (han > 0 && chars.length === 1 && isHan(chars[0])) return h % han;
    return han + h % Math.max(1, chunks - han);
  }
  // Optimal string alignment distance, at most 1?
  function nearby(a, b) {
    if (a === b) return true;
    var la = a.length, lb = b.length;
    if (Math.abs(la - lb) > 1) return false;
    var i = 0;
    while (i < la && i < lb && a.charAt(i) === b.charAt(i)) i++;
    if (la === lb) {
      return a.slice(i + 1) === b.slice(i + 1) ||
        (a.charAt(i) === b.charAt(i + 1) && a.charAt(i + 1) === b.charAt(i) && a.slice(i + 2) === b.slice(i + 2));
    }
    return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }

  function Index(url, lang) {
    this.url = url;
    // The language's root: documents' addresses are relative to it.
    this.root = new URL('..', new URL(url, location.href)).href;
    this.tokenizer = new Tokenizer(lang);
    this.files = {};
    this.requests = 0;
  }
  Index.prototype.get = function (name) {
    var self = this;
    if (!this.files[name]) {
      this.requests++;
      this.files[name] = fetch(this.url + name).then(function (r) {
        if (!r.ok) throw new Error(name + ': ' + r.status);
        return r.json();
      });
      this.files[name].catch(function () { delete self.files[name]; });
    }
    return this.files[name];
  };
  Index.prototype.meta = function () { return this.get('meta.json'); };
  // The record of term `key`, or null.
  Index.prototype.term = function (key) {
    var self = this;
    return this.meta().then(function (m) {
      return self.get('t/' + chunkOf(key, m.term_chunks, m.han_chunks) + '.json');
    }).then(function (chunk) {
      return Object.prototype.hasOwnProperty.call(chunk, key) ? chunk[key] : null;
    });
  };
  Index.prototype.doc = function (id) {
    return this.meta().then(function (m) { return m.per_chunk; }).then((per) =>
      this.get('d/' + Math.floor(id / per) + '.json').then(function (list) { return list[id % per]; }));
  };

  // The parts of a query: each Latin word, each run of Han characters.
  function parts(index, query) {
    var chars = Array.from(String(query).normalize('NFC')), out = [], tk = index.tokenizer;
    scan(chars, tk.fam, function (s, e) {
      // Every pair of neighbours: a page that has them all has the run, or
      // nearly always does (the pairs could be apart).
      var run = chars.slice(s, e), keys = run.length === 1 ? [run[0]] : [];
      for (var j = 0; j + 1 < run.length; j++) if (keys.indexOf(run[j] + run[j + 1]) < 0) keys.push(run[j] + run[j + 1]);
      out.push({ han: run.join(''), keys: keys });
    }, function (s, e, text) {
      var t = tk.word(text);
      if (t) out.push({ token: t, keys: [t.key], last: e === chars.length });
    });
    return out;
  }

  // Documents of one part: id -> score; with the words to highlight.
  function match(index, part) {
    return Promise.all(part.keys.map(function (k) { return index.term(k); })).then(function (records) {
      if (part.han || records[0]) return [records, false];
      var word = part.token.word;
      // Not in the index: words of five letters or more one typo away, or
      // words it begins (the word being typed).
      if (word.length < 3) return [[], false];
      return index.get('words.json').then(function (words) {
        var found = [], keys = {};
        words.split(' ').forEach(function (w) {
          var typo = Math.max(word.length, w.length) >= 5 && word.length >= 4 && nearby(word, w);
          var prefix = part.last && w.length > word.length && w.slice(0, word.length) === word;
          if (typo || prefix) {
            var t = index.tokenizer.word(w);
            if (t && !keys[t.key] && found.length < 12) { keys[t.key] = 1; found.push(t.key); }
          }
        });
        return Promise.all(found.map(function (k) { return index.term(k); })).then(function (rs) { return [rs.filter(Boolean), true]; });
      });
    }).then(function (r) {
      var records = r[0], fuzzy = r[1], scores = new Map(), words = [];
      if (part.han) {
        // Every pair of the run: the documents that have them all.
        if (records.some(function (x) { return !x; })) return { scores: scores, words: [part.han] };
        var sets = records.map(function (x) { return decodeSet(x[0]); });
        var titles = records.map(function (x) { return new Set(decodeSet(x[1])); });
        var strong = records.map(function (x) { return new Set(decodeSet(x[2])); });
        var rest = sets.slice(1).map(function (s) { return new Set(s); });
        sets[0].forEach(function (id) {
          if (!rest.every(function (s) { return s.has(id); })) return;
          var score = 1;
          if (titles.every(function (s) { return s.has(id); })) score += 10;
          if (strong.every(function (s) { return s.has(id); })) score += 2;
          scores.set(id, score);
        });
        return { scores: scores, words: [part.han] };
      }
      var exact = part.token && part.token.exact !== part.token.word ? part.token.exact : null;
      records.forEach(function (x) {
        var title = new Set(decodeSet(x[1])), strong = new Set(decodeSet(x[2]));
        var spelled = exact && x[4] && x[4][exact] ? new Set(decodeSet(x[4][exact])) : null;
        x[3].split(' ').forEach(function (w) { words.push(w); });
        decodeSet(x[0]).forEach(function (id) {
          var score = 1 + (title.has(id) ? 10 : 0) + (strong.has(id) ? 2 : 0) + (spelled && spelled.has(id) ? 3 : 0);
          if (fuzzy) score -= 0.5;
          if (!(scores.get(id) >= score)) scores.set(id, score);
        });
      });
      return { scores: scores, words: words };
    });
  }

  // Ranked ids and the words to highlight.
  function run(index, query) {
    var ps = parts(index, query);
    if (!ps.length) return Promise.resolve({ ids: [], words: [], han: [] });
    return Promise.all(ps.map(function (p) { return match(index, p); })).then(function (ms) {
      var total = new Map(), count = new Map();
      ms.forEach(function (m) {
        m.scores.forEach(function (score, id) {
          total.set(id, (total.get(id) || 0) + score);
          count.set(id, (count.get(id) || 0) + 1);
        });
      });
      var ids = Array.from(total.keys());
      // Every part found first (all of them, when some documents have all).
      var most = 0;
      ids.forEach(function (id) { most = Math.max(most, count.get(id)); });
      if (most === ps.length) ids = ids.filter(function (id) { return count.get(id) === most; });
      ids.sort(function (a, b) { return count.get(b) - count.get(a) || total.get(b) - total.get(a) || a - b; });
      var words = [], han = [];
      ms.forEach(function (m, k) { (ps[k].han ? han : words).push.apply(ps[k].han ? han : words, m.words); });
      return { ids: ids, words: words, han: han };
    });
  }

  // ---- Highlighting ----
  // [text, marked] spans of `text`: words whose folded form was matched, and Han substrings.
  function spans(index, text, words, han) {
    var chars = Array.from(String(text).normalize('NFC')), mark = new Array(chars.length).fill(false);
    var wanted = new Set(words), tk = index.tokenizer;
    scan(chars, tk.fam, function () {}, function (s, e, piece) {
      var t = tk.word(piece);
      if (t && wanted.has(t.word)) for (var j = s; j < e; j++) mark[j] = true;
    });
    var joined = chars.join('');
    han.forEach(function (h) {
      var from = 0, at;
      while (h && (at = joined.indexOf(h, from)) >= 0) {
        var start = Array.from(joined.slice(0, at)).length, len = Array.from(h).length;
        for (var j = start; j < start + len; j++) mark[j] = true;
        from = at + h.length;
      }
    });
    return { chars: chars, mark: mark };
  }
  function fill(el, s, from, to) {
    var i = from;
    while (i < to) {
      var j = i;
      while (j < to && s.mark[j] === s.mark[i]) j++;
      var text = s.chars.slice(i, j).join('');
      if (s.mark[i]) { var m = document.createElement('mark'); m.textContent = text; el.appendChild(m); }
      else el.appendChild(document.createTextNode(text));
      i = j;
    }
  }
  // The excerpt around its first match.
  function snippet(el, s) {
    var first = s.mark.indexOf(true), n = s.chars.length, width = 200;
    var from = first < 0 ? 0 : Math.max(0, first - 60);
    if (from > 0) {
      var space = s.chars.lastIndexOf(' ', from);
      from = space > first - 90 && space >= 0 ? space + 1 : from;
      el.appendChild(document.createTextNode('… '));
    }
    var to = Math.min(n, from + width);
    // At a space near the end, when there is one (Chinese has none).
    var end = to < n ? s.chars.lastIndexOf(' ', to) : -1;
    if (end > to - 30) to = end;
    fill(el, s, from, to);
    if (to < n) el.appendChild(document.createTextNode(' …'));
  }

  // ---- The page ----
  function start(root) {
    var form = root.querySelector('form'), input = form.querySelector('input[name="q"]');
    var status = root.querySelector('[data-search-status]'), list = root.querySelector('[data-search-results]');
    var more = root.querySelector('[data-search-more]');
    var lang = root.getAttribute('data-lang'), tag = document.documentElement.lang || lang;
    var index = new Index(root.getAttribute('data-index'), lang);
    var plural = new Intl.PluralRules(tag), names = new Intl.ListFormat(tag, { type: 'conjunction' });
    var result = null, shown = 0, generation = 0, timer = 0;
    root.classList.add('search-ready');
    function say(text) { status.textContent = text; }
    function count(n) {
      var form = root.getAttribute('data-results-' + plural.select(n)) || root.getAttribute('data-results-other') || '{n}';
      return form.replace('{n}', n.toLocaleString(tag));
    }
    function show(gen) {
      var page = result.ids.slice(shown, shown + 10);
      shown += page.length;
      more.hidden = true;
      return Promise.all(page.map(function (id) { return index.doc(id); })).then(function (docs) {
        if (gen !== generation) return;
        docs.forEach(function (d) {
          if (!d) return;
          var li = document.createElement('li'), h = document.createElement('h2'), a = document.createElement('a');
          li.className = 'search-result';
          a.href = new URL(d[0], index.root).href;
          fill(a, spans(index, d[1], result.words, result.han), 0, Array.from(d[1]).length);
          h.appendChild(a);
          li.appendChild(h);
          if (d[2] || d[4].length) {
            var meta = document.createElement('p');
            meta.className = 'search-meta';
            if (d[2]) { var t = document.createElement('time'); t.dateTime = d[2]; t.textContent = d[3]; meta.appendChild(t); }
            if (d[4].length) meta.appendChild(document.createTextNode((d[2] ? ' · ' : '') + names.format(d[4])));
            li.appendChild(meta);
          }
          var p = document.createElement('p');
          p.className = 'search-snippet';
          snippet(p, spans(index, d[5], result.words, result.han));
          li.appendChild(p);
          list.appendChild(li);
        });
        more.hidden = shown >= result.ids.length;
      });
    }
    function search(query, push) {
      var gen = ++generation, t0 = performance.now(), before = index.requests;
      query = query.trim();
      if (push) {
        var url = new URL(location.href);
        if (query) url.searchParams.set('q', query); else url.searchParams.delete('q');
        history.replaceState(null, '', url);
      }
      if (!query) { list.textContent = ''; say(''); more.hidden = true; return Promise.resolve(); }
      root.setAttribute('aria-busy', 'true');
      return run(index, query).then(function (r) {
        if (gen !== generation) return;
        var ranked = performance.now();
        result = r; shown = 0;
        list.textContent = '';
        say(r.ids.length ? count(r.ids.length) : root.getAttribute('data-none').replace('{q}', query));
        return show(gen).then(function () {
          if (gen !== generation) return;
          api.last = { query: query, ms: ranked - t0, total: performance.now() - t0, requests: index.requests - before };
        });
      }).catch(function () {
        if (gen === generation) say(root.getAttribute('data-failed'));
      }).then(function () { if (gen === generation) root.removeAttribute('aria-busy'); });
    }
    form.addEventListener('submit', function (e) { e.preventDefault(); clearTimeout(timer); search(input.value, true); });
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { search(input.value, true); }, 150);
    });
    more.addEventListener('click', function () {
      var next = list.children.length;
      show(generation).then(function () {
        var link = list.children[next] && list.children[next].querySelector('a');
        if (link) link.focus();
      });
    });
    api.search = function (q) { input.value = q; return search(q, true); };
    var q = new URL(location.href).searchParams.get('q');
    if (q) { input.value = q; search(q, false); }
  }

  var api = { tokenize: function (text, lang) { return new Tokenizer(lang).tokenize(text); }, chunkOf: chunkOf, last: null };
  window.steleSearch = api;
  var root = document.querySelector('[data-stele-search]');
  if (root) start(root);
})();
