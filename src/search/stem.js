// English (Porter2) and French Snowball stemmers; output matches rust-stemmers 1.2.0.
const steleStem = (function () {
  // Snowball state: string, cursor, limit, backward limit, slice bounds, regions.
  let s, c, l, lb, bra, ket, p1, p2, pV;
  // Among table: "suffix<result>" entries; no number means "matched, no action".
  const T = x => x.split(' ').map(e => { const m = /(\D*)(\d*)/.exec(e); return [m[1], +m[2] || -1]; });
  const su = (i, v) => (s.charCodeAt(i) & 64512) == v; // surrogate test, moves are by code point
  const nx = () => { c += su(c, 55296) ? 2 : 1; };
  const pv = () => { c -= su(c - 1, 56320) ? 2 : 1; };
  // in_grouping (o = 0) / out_grouping (o = 1), forwards and backwards
  const g = (G, o) => { if (c < l && G.includes(s[c]) != o) { nx(); return 1; } return 0; };
  const gb = (G, o) => { if (c > lb) { const k = c; pv(); if (G.includes(s[c]) != o) return 1; c = k; } return 0; };
  const gp = (G, o) => { while (!g(G, o)) { if (c >= l) return 0; nx(); } return 1; }; // gopast
  const eqb = t => c - lb >= t.length && s.startsWith(t, c - t.length) ? (c -= t.length, 1) : 0;
  // find_among_b: longest entry ending at the cursor
  const fab = A => {
    let r = 0, n = 0;
    for (const [t, v] of A) if (t.length >= n && c - t.length >= lb && s.startsWith(t, c - t.length)) { n = t.length; r = v; }
    c -= n; return r;
  };
  const sf = t => { // slice_from: replace [bra, ket) by t
    const a = t.length - ket + bra;
    s = s.slice(0, bra) + t + s.slice(ket); l += a;
    if (c >= ket) c += a; else if (c > bra) c = bra;
    return 1;
  };

  const EV = 'aeiouy', WXY = 'Yaeiouwxy', LI = 'cdeghkmnrt';
  const EX = new Map('skis:ski skies:sky dying:die lying:lie tying:tie idly:idl gently:gentl ugly:ugli early:earli only:onli singly:singl andes atlas bias cosmos howe news sky'.split(' ').map(e => e.split(':')));
  const E1 = T("'1 's'1 's1"), E2 = T('ied2 s3 ies2 sses1 ss us'),
    E3 = T('3 bb2 dd2 ff2 gg2 bl1 mm2 nn2 pp2 rr2 at1 tt2 iz1'),
    E4 = T('ed2 eed1 ing2 edly2 eedly1 ingly2'),
    E5 = T('anci3 enci2 ogi13 li16 bli12 abli4 alli8 fulli14 lessli15 ousli10 entli5 aliti8 biliti12 iviti11 tional1 ational7 alism8 ation7 ization6 izer6 ator7 iveness11 fulness9 ousness10'),
    R5 = ',tion,ence,ance,able,ent,ize,ate,al,ful,ous,ive,ble,og,ful,less,'.split(','),
    E6 = T('icate4 ative6 alize3 iciti4 ical4 tional1 ational2 ful5 ness5'),
    R6 = ',tion,ate,al,ic,,'.split(','),
    E8 = T('e1 l2'), E7 = T('ic1 ance1 ence1 able1 ible1 ate1 ive1 ize1 iti1 al1 ism1 ion2 er1 ous1 ant1 ent1 ment1 ement1');

  const shortv = () => {
    const k = c;
    if (gb(WXY, 1) && gb(EV, 0) && gb(EV, 1)) return 1;
    c = k; return gb(EV, 1) && gb(EV, 0) && c <= lb;
  };
  const gpb = () => { while (!gb(EV, 0)) { if (c <= lb) return 0; pv(); } return 1; };

  const steps = [
    function () { // 1a
      ket = c; if (fab(E1)) { bra = c; sf(''); }
      ket = c; const a = fab(E2); if (!a) return; bra = c;
      if (a == 1) sf('ss');
      else if (a == 2) { const k = c; pv(); pv(); const ok = c >= lb; c = k; sf(ok ? 'i' : 'ie'); }
      else if (a == 3) { if (c <= lb) return; pv(); if (gpb()) sf(''); }
    },
    function () { // 1b
      ket = c; let a = fab(E4); if (!a) return; bra = c;
      if (a == 1) { if (p1 <= c) sf('ee'); return; }
      const k = c; if (!gpb()) return; c = k; sf('');
      a = fab(E3); c = k;
      if (a == 2) { ket = c; pv(); bra = c; sf(''); }
      else if (a == 1 || c == p1 && shortv()) { c = k; bra = ket = c; sf('e'); }
    },
    function () { // 1c
      ket = c; if (!(eqb('y') || eqb('Y'))) return; bra = c;
      if (gb(EV, 1) && c > lb) sf('i');
    },
    function () { // 2
      ket = c; const a = fab(E5); if (!a) return; bra = c; if (p1 > c) return;
      if (a == 13 && !eqb('l') || a == 16 && !gb(LI, 0)) return;
      sf(R5[a]);
    },
    function () { // 3
      ket = c; const a = fab(E6); if (!a) return; bra = c;
      if (p1 <= c && (a != 6 || p2 <= c)) sf(R6[a]);
    },
    function () { // 4
      ket = c; const a = fab(E7); if (!a) return; bra = c;
      if (p2 <= c && (a == 1 || eqb('s') || eqb('t'))) sf('');
    },
    function () { // 5
      ket = c; const a = fab(E8); if (!a) return; bra = c;
      if (a == 1 ? p2 <= c || p1 <= c && !shortv() : p2 <= c && eqb('l')) sf('');
    }
  ];

  function english(w) {
    if (EX.has(w)) return EX.get(w) || w;
    if ([...w].length < 3) return w;
    s = w; let y = 0;
    if (s[0] == "'") s = s.slice(1);
    if (s[0] == 'y') { s = 'Y' + s.slice(1); y = 1; }
    for (let i = 1; i < s.length; i++) if (s[i] == 'y' && EV.includes(s[i - 1])) { s = s.slice(0, i) + 'Y' + s.slice(i + 1); y = 1; }
    l = s.length; p1 = p2 = l; c = lb = 0;
    const m = /^(arsen|commun|gener)/.exec(s);
    if (m ? (c = m[0].length) : gp(EV, 0) && gp(EV, 1)) { p1 = c; if (gp(EV, 0) && gp(EV, 1)) p2 = c; }
    c = l; steps[0]();
    if (!/^(succeed|proceed|exceed|canning|inning|earring|herring|outing)$/.test(s)) for (let i = 1; i < 7; i++) { c = l; steps[i](); }
    return y ? s.replace(/Y/g, 'y') : s;
  }

  const FV = 'aeiouy\xe0\xe2\xe8\xe9\xea\xeb\xee\xef\xf4\xf9\xfb', KS = 'aiosu\xe8';
  const F2 = T('iqU3 abl3 I\xe8r4 i\xe8r4 eus2 iv1'), F3 = T('ic2 abil1 iv3'),
    F4 = T('iqUe1 atrice2 ance1 ence5 logie3 able1 isme1 euse11 iste1 ive8 if8 usion4 ation2 ution4 ateur2 iqUes1 atrices2 ances1 ences5 logies3 ables1 ismes1 euses11 istes1 ives8 ifs8 usions4 ations2 utions4 ateurs2 ments15 ements6 issements12 it\xe9s7 ment15 ement6 issement12 amment13 emment14 aux10 eaux9 eux1 it\xe97'),
    F5 = T('ira ie isse issante i irai ir iras ies \xeemes isses issantes \xeetes is irais issais irions issions irons issons issants it irait issait issant iraIent issaIent irent issent iront \xeet iriez issiez irez issez'),
    F6 = T('a3 era2 asse3 ante3 \xe9e2 ai3 erai2 er2 as3 eras2 \xe2mes3 asses3 antes3 \xe2tes3 \xe9es2 ais3 erais2 ions1 erions2 assions3 erons2 ants3 \xe9s2 ait3 erait2 ant3 aIent3 eraIent2 \xe8rent2 assent3 eront2 \xe2t3 ez2 iez2 eriez2 assiez3 erez2 \xe92'),
    F7 = T('e3 I\xe8re2 i\xe8re2 ion1 Ier2 ier2 \xeb4');

  function std() { // standard_suffix
    ket = c; let a = fab(F4); if (!a) return 0; bra = c;
    if (a == 1) return p2 <= c && sf('');
    if (a == 3) return p2 <= c && sf('log');
    if (a == 4) return p2 <= c && sf('u');
    if (a == 5) return p2 <= c && sf('ent');
    if (a == 9) return sf('eau');
    if (a == 10) return p1 <= c && sf('al');
    if (a == 11) return p2 <= c ? sf('') : p1 <= c && sf('eux');
    if (a == 12) return p1 <= c && gb(FV, 1) && sf('');
    if (a == 13 || a == 14) { if (pV <= c) sf(a == 13 ? 'ant' : 'ent'); return 0; }
    if (a == 15) { const k = c; if (gb(FV, 0) && pV <= c) { c = k; sf(''); } return 0; }
    if (a == 6) {
      if (pV > c) return 0;
      sf(''); ket = c; a = fab(F2); if (!a) return 1; bra = c;
      if (a == 1) { if (p2 <= c) { sf(''); ket = c; if (eqb('at') && (bra = c, p2 <= c)) sf(''); } }
      else if (a == 2) { if (p2 <= c) sf(''); else if (p1 <= c) sf('eux'); }
      else if (a == 3) { if (p2 <= c) sf(''); }
      else if (pV <= c) sf('i');
      return 1;
    }
    if (p2 > c) return 0; // 2, 7, 8
    sf(''); ket = c;
    if (a == 7) {
      a = fab(F3); if (!a) return 1; bra = c;
      if (a < 3) sf(p2 <= c ? '' : a == 1 ? 'abl' : 'iqU'); else if (p2 <= c) sf('');
      return 1;
    }
    if (a == 8) { if (!(eqb('at') && (bra = c, p2 <= c))) return 1; sf(''); ket = c; }
    if (eqb('ic')) { bra = c; sf(p2 <= c ? '' : 'iqU'); }
    return 1;
  }

  const inRV = f => { // setlimit tomark pV for backward among f
    if (c < pV) return 0;
    const o = lb; lb = pV; ket = c;
    const r = f(); lb = o; return r;
  };
  const ivs = () => inRV(() => fab(F5) && (bra = c, gb(FV, 1)) && sf(''));
  const vs = () => inRV(() => {
    const a = fab(F6); if (!a) return 0; bra = c;
    if (a == 1 && p2 > c) return 0;
    sf(''); if (a == 3) { ket = c; if (eqb('e')) { bra = c; sf(''); } }
    return 1;
  });

  function french(w) {
    s = w;
    const v = i => FV.includes(s[i]), up = (i, x) => { s = s.slice(0, i) + x + s.slice(i + 1); };
    for (let p = 0; p < s.length; p += su(p, 55296) ? 2 : 1) {
      const x = s[p], y = s[p + 1];
      if (v(p) && ((y == 'u' || y == 'i') && v(p + 2) || y == 'y')) up(p + 1, y.toUpperCase());
      else if (x == 'y' && v(p + 1)) up(p, 'Y');
      else if (x == 'q' && y == 'u') up(p + 1, 'U');
    }
    l = s.length; pV = p1 = p2 = l; c = lb = 0;
    if (g(FV, 0) && g(FV, 0) && c < l) { nx(); pV = c; }
    else if (/^(col|par|tap)/.test(s)) pV = 3;
    else if (l) { c = 0; nx(); if (gp(FV, 0)) pV = c; }
    c = 0;
    if (gp(FV, 0) && gp(FV, 1)) { p1 = c; if (gp(FV, 0) && gp(FV, 1)) p2 = c; }
    c = l;
    if (std() || (c = l, ivs()) || (c = l, vs())) {
      c = ket = l;
      if (eqb('Y')) { bra = c; sf('i'); } else if (eqb('\xe7')) { bra = c; sf('c'); }
    } else { // residual_suffix
      c = ket = l;
      if (eqb('s')) { bra = c; if (gb(KS, 1)) { c = bra; sf(''); } }
      c = l;
      inRV(() => {
        const a = fab(F7); if (!a) return; bra = c;
        if (a == 1) { if (p2 <= c && (eqb('s') || eqb('t'))) sf(''); }
        else if (a == 4) { if (eqb('gu')) sf(''); }
        else sf(a == 2 ? 'i' : '');
      });
    }
    if (/(e(i?ll|nn|tt)|onn)$/.test(s)) s = s.slice(0, -1);
    l = c = s.length; lb = 0;
    let n = 0; while (gb(FV, 1)) n++;
    ket = c;
    if (n && (eqb('\xe9') || eqb('\xe8'))) { bra = c; sf('e'); }
    return s.replace(/[IUY]/g, x => x.toLowerCase());
  }

  return { english: english, french: french };
})();
