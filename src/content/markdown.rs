//! Markdown: the one place where stele turns a Markdown document into HTML.
//!
//! [`render`] parses a document once with pulldown-cmark and returns, in a
//! [`Rendered`], everything the rest of the generator needs from it: the HTML
//! body (every heading carrying a unique `id`), a nested table of contents,
//! the first paragraph as plain text (for summaries and descriptions), word
//! count and reading time, every link and image destination with its source
//! line and column (for link checking), and every anchor a `#fragment` may
//! point at.
//!
//! Extensions (see `options`): tables, footnotes, strikethrough, task
//! lists, smart punctuation and heading attributes (`## Title {#custom-id}`).
//!
//! "Plain text" here means the text a reader sees: prose, inline code and
//! code blocks. Raw HTML tags, image alt text, link destinations and footnote
//! reference numbers are not part of it; titles, the first paragraph and the
//! word count all use this one definition.
//!
//! **Raw HTML is passed through unchanged.** This is deliberate: the Markdown
//! is the site owner's own content, written by trusted editors who use HTML
//! for figures and embeds. Never feed untrusted (user-submitted) Markdown to
//! [`render`] without sanitizing its output.
//!
//! What this module must never do:
//!
//! - touch the file system, the network, the clock or any global state:
//!   [`render`] is a pure function of its input (same Markdown, same
//!   [`Rendered`]), so it can run on any thread for any article;
//! - panic, whatever the input (empty, malformed, nested 10,000 levels
//!   deep): pulldown-cmark accepts every string, and the code here does not
//!   index out of bounds, unwrap, or recurse (the table of contents is built
//!   with an explicit stack at most six levels deep);
//! - parse a document more than once when it can be helped: it runs on
//!   10,000+ articles per build. The parser's events stream straight into
//!   the HTML writer while everything else is collected (see `Stream`); only
//!   a heading whose automatic id a *later* custom id or footnote takes
//!   makes a second parse;
//! - use time or memory out of proportion to the input. Measured on
//!   [`render`] alone (release build, system allocator): one line of 200,000
//!   links (`[a](b) ` repeated) took 10 s when each link's column was counted
//!   from the start of its line, and takes 0.4 s; one paragraph of 1,000,000
//!   `*a* ` peaked at 510 MB resident and peaks at 210 MB (the event vector,
//!   80 bytes an event, 4 million events and the doubling of its capacity,
//!   was the part stele owned; counted in bytes allocated, the peak of
//!   [`render`] is now that of pulldown-cmark parsing the paragraph alone).
//!   `benches/hostile.sh` measures whole builds.

use crate::error::Position;
use std::collections::{HashMap, HashSet};

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

use crate::content::slug::slugify;

/// Everything the rest of stele needs from one Markdown document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rendered {
    /// The body as HTML (headings carry their ids).
    pub html: String,
    /// Table of contents: every heading, nested under the nearest preceding
    /// heading of a smaller level.
    pub toc: Vec<TocEntry>,
    /// The first paragraph as plain text (inline markup stripped, whitespace
    /// collapsed), "" if none. Kept for profiles (their page's description);
    /// an article or a page keeps only the summary made from it.
    pub first_paragraph: String,
    /// Words: runs of letters/digits in space-separated scripts count as one
    /// word each; every CJK ideograph / kana / hangul syllable counts as one
    /// word.
    pub word_count: usize,
    /// Reading time in whole minutes, at least 1 for non-empty text: Latin
    /// words at 220 per minute, CJK characters at 400 per minute, summed then
    /// rounded up.
    pub reading_minutes: usize,
    /// Every link and image destination in the document, in order, with the
    /// 1-based line in the Markdown source where it appears (for link
    /// checking).
    pub links: Vec<LinkRef>,
    /// Ids of every heading (and footnote definition anchors), for #fragment
    /// checking, in document order.
    pub anchors: Vec<String>,
    /// The figures of the body (```` ```figure ```` blocks and local JPEG or
    /// PNG images), in order; `html` holds a placeholder for each (see
    /// [`crate::image::view::fill`]). Empty unless rendered with [`render_with_figures`].
    pub figures: Vec<BodyFigure>,
    /// Figure blocks that could not be read, at their line in the Markdown source.
    pub figure_problems: Vec<crate::image::figure::BlockProblem>,
}

/// An image of a body that becomes a responsive picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyFigure {
    pub figure: crate::image::figure::Figure,
    /// A ```` ```figure ```` block (a `<figure>`), rather than an image inside a paragraph.
    pub block: bool,
    /// The Markdown image's title.
    pub title: Option<String>,
    /// Where it starts in the Markdown source.
    pub pos: Position,
}

/// One heading in the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TocEntry {
    /// 1 for `<h1>` up to 6 for `<h6>`.
    pub level: u8,
    /// The heading's `id` attribute, unique in the document.
    pub id: String,
    /// The heading as plain text.
    pub title: String,
    /// The headings nested under this one.
    pub children: Vec<TocEntry>,
}

/// A link or image destination and where it appears in the Markdown source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    /// The destination as written in the HTML (`mailto:` added to email
    /// autolinks; reference links resolved).
    pub dest: String,
    /// Where the link starts (`[`, `![` or `<`) in the Markdown source.
    pub pos: Position,
    /// Whether this is an image rather than a link.
    pub is_image: bool,
}

/// Renders a Markdown document. Pure: same input, same output.
pub fn render(markdown: &str) -> Rendered {
    render_events(markdown, false, true)
}

/// [`render`] for a document written in language `lang` (a code): Chinese
/// runs are marked only in a document that is not in Chinese.
pub fn render_in(markdown: &str, lang: &str) -> Rendered {
    render_events(markdown, false, !is_chinese(lang))
}

/// [`render_with_figures`] for a document written in language `lang`.
pub fn render_with_figures_in(markdown: &str, lang: &str) -> Rendered {
    render_events(markdown, true, !is_chinese(lang))
}

/// Whether a language code or tag is Chinese (`zh`, `zh-Hans`...).
pub fn is_chinese(lang: &str) -> bool {
    lang == "zh" || lang.starts_with("zh-")
}

/// Renders a Markdown document whose images become responsive pictures: a
/// fenced block whose info string is `figure` is read as a figure (YAML:
/// `src`, `alt`, `caption`, `credit`, `rights`...), and an image whose
/// destination is a local `.jpg`, `.jpeg` or `.png` file is kept as a figure
/// too. Both are found in pulldown-cmark's events, so text that only looks
/// like them (inside code, HTML comments or other blocks) is left alone.
pub fn render_with_figures(markdown: &str) -> Rendered {
    render_events(markdown, true, true)
}

/// A figure being read from the events.
enum Collecting {
    /// A ```` ```figure ```` block: its YAML so far, and where it started.
    Block { text: String, offset: usize },
    /// A Markdown image: its destination, title, alt text, nesting and start.
    Image { dest: String, title: String, alt: String, depth: usize, offset: usize },
}

fn render_events(markdown: &str, with_figures: bool, mark_han: bool) -> Rendered {
    let mut stream = Stream::new(markdown, Parser::new_ext(markdown, options()).into_offset_iter(), with_figures);
    let mut html_out = String::with_capacity(markdown.len() + markdown.len() / 2);
    html::push_html(&mut html_out, crate::content::text::mark_chinese(&mut stream, mark_han));
    let Stream { scan, streamed_ids, figures, figure_problems, .. } = stream;
    let Scan { mut headings, anchors, footnotes, links, words, first_paragraph, .. } = scan;

    assign_ids(&mut headings, footnotes);
    if !headings.iter().map(|h| &h.id).eq(streamed_ids.iter()) {
        // A later custom id or footnote took an id given on the way: render
        // again with the final ids (rare; see `Stream`).
        html_out.clear();
        let mut again = Stream::new(markdown, Parser::new_ext(markdown, options()).into_offset_iter(), with_figures);
        again.final_ids = Some(headings.iter().map(|h| h.id.clone()).collect::<Vec<_>>().into_iter());
        html::push_html(&mut html_out, crate::content::text::mark_chinese(&mut again, mark_han));
    }

    let anchors = anchors
        .into_iter()
        .map(|anchor| match anchor {
            Anchor::Heading(index) => headings.get(index).map(|heading| heading.id.clone()).unwrap_or_default(),
            Anchor::Footnote(name) => name,
        })
        .collect();

    Rendered {
        // Kept for the whole build: without the room reserved while writing it.
        html: {
            html_out.shrink_to_fit();
            html_out
        },
        toc: build_toc(headings),
        first_paragraph: match first_paragraph {
            FirstParagraph::Found(text) => text,
            FirstParagraph::Searching | FirstParagraph::Collecting(_) => String::new(),
        },
        word_count: words.latin.saturating_add(words.cjk),
        reading_minutes: reading_minutes(words.latin, words.cjk),
        links,
        anchors,
        figures,
        figure_problems,
    }
}

/// The parser's events on their way to the HTML writer, observed by the
/// [`Scan`] as they pass, so that no event vector is ever kept (on one long
/// paragraph of emphasis it took more memory than the text and the HTML
/// together). A heading is held back from its start to its end, to give its
/// start the id its title makes. That id is the final one unless a *later*
/// custom id or footnote claims it; [`render`] compares the ids given here
/// with the final ones and, only when they differ, parses a second time.
struct Stream<'s, I> {
    events: I,
    scan: Scan<'s>,
    /// A heading being collected, or events ready to be passed on.
    pending: std::collections::VecDeque<Event<'s>>,
    in_heading: bool,
    /// The ids given on the way, in document order.
    streamed_ids: Vec<String>,
    used: HashSet<String>,
    next_suffix: HashMap<String, usize>,
    /// How many of the scan's anchors were already looked at for footnotes.
    anchors_seen: usize,
    /// The ids to give, when they are known already (the second pass).
    final_ids: Option<std::vec::IntoIter<String>>,
    /// Whether figures are read (see [`render_with_figures`]).
    with_figures: bool,
    collecting: Option<Collecting>,
    figures: Vec<BodyFigure>,
    figure_problems: Vec<crate::image::figure::BlockProblem>,
}

impl<'s, I: Iterator<Item = (Event<'s>, std::ops::Range<usize>)>> Stream<'s, I> {
    fn new(source: &'s str, events: I, with_figures: bool) -> Self {
        Stream {
            events,
            scan: Scan::new(source),
            pending: std::collections::VecDeque::new(),
            in_heading: false,
            streamed_ids: Vec::new(),
            used: HashSet::new(),
            next_suffix: HashMap::new(),
            anchors_seen: 0,
            final_ids: None,
            with_figures,
            collecting: None,
            figures: Vec::new(),
            figure_problems: Vec::new(),
        }
    }

    /// Reads figures out of the events: `Some(event)` to pass on (the event
    /// itself, or a figure's placeholder), `None` for an event a figure
    /// swallowed. Every event the scan should see has been observed.
    fn figure_step(&mut self, event: Event<'s>, offset: usize) -> Option<Event<'s>> {
        use pulldown_cmark::CodeBlockKind;
        if let Some(Collecting::Block { text, offset }) = &mut self.collecting {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let fence_line = self.scan.locate(*offset).line;
                    let parsed = crate::image::figure::parse_block(text, false);
                    self.collecting = None;
                    match parsed {
                        Ok(figure) => {
                            let placeholder = Event::Html(crate::image::view::placeholder(self.figures.len()).into());
                            self.figures.push(BodyFigure {
                                figure,
                                block: true,
                                title: None,
                                pos: Position::new(fence_line, 1),
                            });
                            return Some(placeholder);
                        }
                        Err(problem) => self.figure_problems.push(crate::image::figure::BlockProblem {
                            pos: problem.pos.in_file(fence_line + 1),
                            ..problem
                        }),
                    }
                }
                _ => {}
            }
            return None;
        }
        if self.with_figures
            && let Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) = &event
            && info.split_whitespace().next() == Some("figure")
        {
            self.scan.words.boundary();
            self.collecting = Some(Collecting::Block { text: String::new(), offset });
            return None;
        }
        self.scan.observe(&event, offset);
        if let Some(Collecting::Image { dest, title, alt, depth, offset }) = &mut self.collecting {
            match &event {
                Event::Start(Tag::Image { .. }) => *depth += 1,
                Event::End(TagEnd::Image) if *depth > 0 => *depth -= 1,
                Event::End(TagEnd::Image) => {
                    let (dest, alt, offset) = (std::mem::take(dest), std::mem::take(alt), *offset);
                    let title = (!title.is_empty()).then(|| title.clone());
                    let pos = self.scan.locate(offset);
                    let figure = crate::image::figure::Figure::inline(&dest, &alt);
                    let placeholder = Event::InlineHtml(crate::image::view::placeholder(self.figures.len()).into());
                    self.figures.push(BodyFigure { figure, block: false, title, pos });
                    self.collecting = None;
                    return Some(placeholder);
                }
                Event::Text(t) | Event::Code(t) => alt.push_str(t),
                Event::SoftBreak | Event::HardBreak => alt.push(' '),
                _ => {}
            }
            return None;
        }
        if self.with_figures
            && let Event::Start(Tag::Image { dest_url, title, .. }) = &event
            && is_local_raster(dest_url)
        {
            self.collecting = Some(Collecting::Image {
                dest: dest_url.to_string(),
                title: title.to_string(),
                alt: String::new(),
                depth: 0,
                offset,
            });
            return None;
        }
        Some(event)
    }

    /// The id of the heading the scan has just closed, as far as the
    /// document read so far tells.
    fn heading_id(&mut self) -> String {
        if let Some(ids) = &mut self.final_ids {
            return ids.next().unwrap_or_default();
        }
        for anchor in &self.scan.anchors[self.anchors_seen..] {
            if let Anchor::Footnote(name) = anchor {
                self.used.insert(name.clone());
            }
        }
        self.anchors_seen = self.scan.anchors.len();
        let base = match self.scan.headings.last() {
            Some(Heading { custom_id: Some(custom), .. }) => custom.clone(),
            Some(heading) => {
                Some(slugify(&heading.title)).filter(|s| !s.is_empty()).unwrap_or_else(|| "section".into())
            }
            None => "section".into(),
        };
        claim(base, &mut self.used, &mut self.next_suffix)
    }
}

impl<'s, I: Iterator<Item = (Event<'s>, std::ops::Range<usize>)>> Iterator for Stream<'s, I> {
    type Item = Event<'s>;

    fn next(&mut self) -> Option<Event<'s>> {
        loop {
            if !self.in_heading
                && let Some(event) = self.pending.pop_front()
            {
                return Some(event);
            }
            let Some((event, range)) = self.events.next() else {
                // Only an unclosed heading can be left (the parser always closes them).
                self.in_heading = false;
                return self.pending.pop_front();
            };
            let Some(event) = self.figure_step(event, range.start) else { continue };
            match event {
                Event::Start(Tag::Heading { .. }) => {
                    self.in_heading = true;
                    self.pending.push_back(event);
                }
                Event::End(TagEnd::Heading(_)) => {
                    self.pending.push_back(event);
                    self.in_heading = false;
                    let new_id = self.heading_id();
                    if let Some(Event::Start(Tag::Heading { id, .. })) = self.pending.front_mut() {
                        *id = Some(CowStr::from(new_id.clone()));
                    }
                    self.streamed_ids.push(new_id);
                }
                event if self.in_heading => self.pending.push_back(event),
                event => return Some(event),
            }
        }
    }
}

/// Whether an image destination is a JPEG or PNG file of the site (not a URL).
fn is_local_raster(dest: &str) -> bool {
    let path = dest.split(['?', '#']).next().unwrap_or_default();
    !dest.contains("://") && !dest.starts_with("//") && crate::image::process::is_processable(path)
}

/// The pulldown-cmark extensions stele's Markdown uses.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A heading as seen while scanning; `id` is filled in by [`assign_ids`].
struct Heading {
    level: u8,
    custom_id: Option<String>,
    title: String,
    id: String,
}

/// Where an anchor comes from, in document order.
enum Anchor {
    /// Index into the heading list (its id is only known after scanning).
    Heading(usize),
    /// A footnote definition's name, which the HTML renderer uses as its id.
    Footnote(String),
}

/// The search for the first top-level paragraph with some text.
enum FirstParagraph {
    Searching,
    Collecting(String),
    Found(String),
}

/// Everything collected in the single pass over the parser's events.
struct Scan<'s> {
    source: &'s str,
    lines: Option<LineIndex>,
    headings: Vec<Heading>,
    current_heading: Option<Heading>,
    anchors: Vec<Anchor>,
    footnotes: HashSet<String>,
    links: Vec<LinkRef>,
    words: WordCounter,
    first_paragraph: FirstParagraph,
    /// Block quotes, lists and footnote definitions we are inside.
    container_depth: usize,
    /// Images we are inside (their alt text is not plain text).
    image_depth: usize,
}

impl<'s> Scan<'s> {
    fn new(source: &'s str) -> Self {
        Scan {
            source,
            lines: None,
            headings: Vec::new(),
            current_heading: None,
            anchors: Vec::new(),
            footnotes: HashSet::new(),
            links: Vec::new(),
            words: WordCounter::default(),
            first_paragraph: FirstParagraph::Searching,
            container_depth: 0,
            image_depth: 0,
        }
    }

    /// Looks at one event; `offset` is the byte offset where it starts in the source.
    fn observe(&mut self, event: &Event<'_>, offset: usize) {
        match event {
            Event::Start(tag) => self.start(tag, offset),
            Event::End(tag) => self.end(*tag),
            Event::Text(text) | Event::Code(text) | Event::InlineMath(text) | Event::DisplayMath(text) => {
                self.text(text)
            }
            Event::SoftBreak | Event::HardBreak => self.text(" "),
            Event::Html(_) | Event::Rule | Event::TaskListMarker(_) => self.words.boundary(),
            Event::InlineHtml(_) | Event::FootnoteReference(_) => {}
        }
    }

    fn start(&mut self, tag: &Tag<'_>, offset: usize) {
        match tag {
            Tag::Heading { level, id, .. } => {
                self.words.boundary();
                self.current_heading = Some(Heading {
                    level: *level as u8,
                    custom_id: id.as_deref().filter(|id| !id.is_empty()).map(str::to_owned),
                    title: String::new(),
                    id: String::new(),
                });
            }
            Tag::Paragraph => {
                self.words.boundary();
                if self.container_depth == 0 && matches!(self.first_paragraph, FirstParagraph::Searching) {
                    self.first_paragraph = FirstParagraph::Collecting(String::new());
                }
            }
            Tag::FootnoteDefinition(name) => {
                self.words.boundary();
                self.container_depth = self.container_depth.saturating_add(1);
                if self.footnotes.insert(name.to_string()) {
                    self.anchors.push(Anchor::Footnote(name.to_string()));
                }
            }
            Tag::BlockQuote(_) | Tag::List(_) | Tag::DefinitionList => {
                self.words.boundary();
                self.container_depth = self.container_depth.saturating_add(1);
            }
            Tag::Link { link_type, dest_url, .. } => self.link(*link_type, dest_url, offset, false),
            Tag::Image { link_type, dest_url, .. } => {
                self.words.boundary();
                self.image_depth = self.image_depth.saturating_add(1);
                self.link(*link_type, dest_url, offset, true);
            }
            Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Superscript | Tag::Subscript => {}
            _ => self.words.boundary(),
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => {
                self.words.boundary();
                if let Some(mut heading) = self.current_heading.take() {
                    heading.title = collapse_whitespace(&heading.title);
                    self.anchors.push(Anchor::Heading(self.headings.len()));
                    self.headings.push(heading);
                }
            }
            TagEnd::Paragraph => {
                self.words.boundary();
                if let FirstParagraph::Collecting(text) = &self.first_paragraph {
                    let text = collapse_whitespace(text);
                    self.first_paragraph =
                        if text.is_empty() { FirstParagraph::Searching } else { FirstParagraph::Found(text) };
                }
            }
            TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::FootnoteDefinition | TagEnd::DefinitionList => {
                self.words.boundary();
                self.container_depth = self.container_depth.saturating_sub(1);
            }
            TagEnd::Image => {
                self.words.boundary();
                self.image_depth = self.image_depth.saturating_sub(1);
            }
            TagEnd::Link
            | TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript => {}
            _ => self.words.boundary(),
        }
    }

    /// Visible text: counted, and kept for the heading or paragraph it is in.
    fn text(&mut self, text: &str) {
        if self.image_depth > 0 {
            return;
        }
        self.words.feed(text);
        if let Some(heading) = &mut self.current_heading {
            heading.title.push_str(text);
        }
        if let FirstParagraph::Collecting(paragraph) = &mut self.first_paragraph {
            paragraph.push_str(text);
        }
    }

    /// 1-based line and column of a byte offset of the source.
    fn locate(&mut self, offset: usize) -> Position {
        let source = self.source;
        self.lines.get_or_insert_with(|| LineIndex::new(source)).locate(source, offset)
    }

    fn link(&mut self, link_type: LinkType, dest: &str, offset: usize, is_image: bool) {
        let dest = match link_type {
            LinkType::Email => format!("mailto:{dest}"),
            _ => dest.to_owned(),
        };
        let source = self.source;
        let pos = self.lines.get_or_insert_with(|| LineIndex::new(source)).locate(source, offset);
        self.links.push(LinkRef { dest, pos, is_image });
    }
}

/// Byte offsets where each line of the source starts (`\n`, `\r\n` and a
/// lone `\r` all end a line, as in CommonMark), and the last position
/// located. Links come in document order, so each column is counted on from
/// the previous link on the same line rather than from the line's start:
/// 200,000 links on one line cost one pass over it, not 200,000.
struct LineIndex {
    starts: Vec<usize>,
    /// The last (offset, line, column) located.
    last: (usize, usize, usize),
    /// Bytes looked at to count columns (for the tests of linear work).
    counted: usize,
}

impl LineIndex {
    fn new(source: &str) -> Self {
        let bytes = source.as_bytes();
        let mut starts = vec![0];
        for (i, &byte) in bytes.iter().enumerate() {
            let ends_line = match byte {
                b'\n' => true,
                b'\r' => bytes.get(i + 1) != Some(&b'\n'),
                _ => false,
            };
            if ends_line {
                starts.push(i + 1);
            }
        }
        LineIndex { starts, last: (0, 1, 1), counted: 0 }
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    fn locate(&mut self, source: &str, offset: usize) -> Position {
        let offset = offset.min(source.len());
        let line = self.starts.partition_point(|&start| start <= offset).max(1);
        let (last_offset, last_line, last_column) = self.last;
        let (from, column) = if line == last_line && last_offset <= offset {
            (last_offset, last_column)
        } else {
            (self.starts.get(line - 1).copied().unwrap_or(0), 1)
        };
        let column = column
            + source.get(from..offset).map_or(offset.saturating_sub(from), |text| bytecount_chars(text.as_bytes()));
        self.counted += offset - from;
        self.last = (offset, line, column);
        Position::new(line, column)
    }
}

/// Characters in UTF-8 bytes: every byte that does not continue a character.
fn bytecount_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// Gives every heading its id: custom ids first (so that an automatic id
/// never takes the one an editor asked for), then slugs of the titles, all
/// unique in the document and distinct from the footnote anchors.
fn assign_ids(headings: &mut [Heading], footnotes: HashSet<String>) {
    let mut used = footnotes;
    let mut next_suffix = HashMap::new();
    for heading in headings.iter_mut() {
        if let Some(custom) = heading.custom_id.take() {
            heading.id = claim(custom, &mut used, &mut next_suffix);
        }
    }
    for heading in headings.iter_mut() {
        if heading.id.is_empty() {
            let mut base = slugify(&heading.title);
            if base.is_empty() {
                base = "section".to_owned();
            }
            heading.id = claim(base, &mut used, &mut next_suffix);
        }
    }
}

/// Returns `base`, or `base-1`, `base-2`, ... if taken, and marks it used.
fn claim(base: String, used: &mut HashSet<String>, next_suffix: &mut HashMap<String, usize>) -> String {
    if !used.contains(&base) {
        used.insert(base.clone());
        return base;
    }
    let suffix = next_suffix.entry(base.clone()).or_insert(1);
    loop {
        let candidate = format!("{base}-{suffix}");
        *suffix += 1;
        if !used.contains(&candidate) {
            used.insert(candidate.clone());
            return candidate;
        }
    }
}

/// Nests headings by level with an explicit stack of open entries, whose
/// levels strictly increase, so it is never more than six deep.
fn build_toc(headings: Vec<Heading>) -> Vec<TocEntry> {
    let mut roots = Vec::new();
    let mut open: Vec<TocEntry> = Vec::new();
    for heading in headings {
        while open.last().is_some_and(|top| top.level >= heading.level) {
            close_toc_entry(&mut open, &mut roots);
        }
        open.push(TocEntry { level: heading.level, id: heading.id, title: heading.title, children: Vec::new() });
    }
    while !open.is_empty() {
        close_toc_entry(&mut open, &mut roots);
    }
    roots
}

/// Pops the innermost open entry into its parent (or the roots).
fn close_toc_entry(open: &mut Vec<TocEntry>, roots: &mut Vec<TocEntry>) {
    if let Some(entry) = open.pop() {
        match open.last_mut() {
            Some(parent) => parent.children.push(entry),
            None => roots.push(entry),
        }
    }
}

/// Counts words in space-separated scripts and CJK characters separately.
///
/// A word is a run of letters and digits; an apostrophe, hyphen, period or
/// comma between two of them does not split it ("don't", "well-known",
/// "3.14", "1,200"). Text is fed in pieces (one word may span several
/// events, e.g. `*un*likely`); [`WordCounter::boundary`] marks block edges.
#[derive(Default)]
struct WordCounter {
    latin: usize,
    cjk: usize,
    state: WordState,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum WordState {
    #[default]
    Outside,
    InWord,
    AfterJoiner,
}

impl WordCounter {
    fn feed(&mut self, text: &str) {
        for c in text.chars() {
            self.state = if is_cjk(c) {
                self.cjk = self.cjk.saturating_add(1);
                WordState::Outside
            } else if c.is_alphanumeric() {
                if self.state == WordState::Outside {
                    self.latin = self.latin.saturating_add(1);
                }
                WordState::InWord
            } else if self.state == WordState::InWord && is_word_joiner(c) {
                WordState::AfterJoiner
            } else {
                WordState::Outside
            };
        }
    }

    fn boundary(&mut self) {
        self.state = WordState::Outside;
    }
}

fn is_word_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '\u{2010}' | '\u{2011}' | '.' | ',')
}

/// The blocks of CJK ideographs, kana and hangul syllables.
const CJK_RANGES: [(char, char); 10] = [
    ('\u{3005}', '\u{3007}'),   // 々 〆 〇
    ('\u{3040}', '\u{30FF}'),   // hiragana, katakana
    ('\u{31F0}', '\u{31FF}'),   // katakana phonetic extensions
    ('\u{3400}', '\u{4DBF}'),   // CJK extension A
    ('\u{4E00}', '\u{9FFF}'),   // CJK unified ideographs
    ('\u{AC00}', '\u{D7AF}'),   // hangul syllables
    ('\u{F900}', '\u{FAFF}'),   // CJK compatibility ideographs
    ('\u{FF66}', '\u{FF9D}'),   // half-width katakana
    ('\u{20000}', '\u{2FA1F}'), // CJK extensions B-F, compatibility supplement
    ('\u{30000}', '\u{323AF}'), // CJK extensions G-H
];

/// CJK ideographs, kana and hangul syllables: each one counts as a word.
fn is_cjk(c: char) -> bool {
    c >= '\u{3005}' && CJK_RANGES.iter().any(|&(low, high)| (low..=high).contains(&c))
}

/// CJK characters and CJK punctuation: no space is needed between them.
fn is_cjk_context(c: char) -> bool {
    is_cjk(c) || matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}')
}

/// Collapses runs of whitespace to one space and trims the ends; a line
/// break between two CJK characters disappears instead (Chinese and
/// Japanese are written without spaces).
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if let (Some(before), Some(after)) = (out.chars().next_back(), word.chars().next())
            && !(is_cjk_context(before) && is_cjk_context(after))
        {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Latin words at 220 per minute plus CJK characters at 400 per minute,
/// rounded up: `latin / 220 + cjk / 400 == (latin * 20 + cjk * 11) / 4400`.
fn reading_minutes(latin: usize, cjk: usize) -> usize {
    latin.saturating_mul(20).saturating_add(cjk.saturating_mul(11)).div_ceil(4400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_of_many_links_on_one_line_cost_one_pass() {
        let source = format!("x\n{}\né [c](d)", "[a](b) ".repeat(20_000));
        let mut lines = LineIndex::new(&source);
        let starts: Vec<usize> = source.match_indices('[').map(|(i, _)| i).collect();
        for &offset in &starts {
            assert_eq!(lines.locate(&source, offset), crate::error::line_col(&source, offset));
        }
        assert!(lines.counted <= source.len(), "{} bytes counted for {}", lines.counted, source.len());
        // Out of order (not what rendering does) is still right.
        assert_eq!(lines.locate(&source, 2), Position::new(2, 1));
    }

    #[test]
    fn a_later_custom_id_or_footnote_moves_an_earlier_automatic_id() {
        let r = render("## Intro\n\n## Notes\n\n## Other {#intro}\n\nText[^notes]\n\n[^notes]: A note.\n");
        let ids: Vec<&str> = r.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["intro-1", "notes-1", "intro"]);
        assert!(r.html.contains("<h2 id=\"intro-1\">Intro</h2>"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"notes-1\">Notes</h2>"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"intro\">Other</h2>"), "{}", r.html);
        let streamed = render("## Intro\n\n## Intro\n");
        assert!(streamed.html.contains("<h2 id=\"intro\">") && streamed.html.contains("<h2 id=\"intro-1\">"));
    }

    fn ids(toc: &[TocEntry]) -> Vec<(u8, &str, usize)> {
        toc.iter().map(|entry| (entry.level, entry.id.as_str(), entry.children.len())).collect()
    }

    #[test]
    fn renders_extensions() {
        let markdown = "\
| a | b |
|---|---|
| 1 | 2 |

Text with a note.[^n] and ~~gone~~ and \"quoted\" and it's

- [x] done
- [ ] todo

[^n]: The note.
";
        let out = render(markdown);
        assert!(out.html.contains("<table>"), "{}", out.html);
        assert!(out.html.contains("<td>2</td>"), "{}", out.html);
        assert!(out.html.contains("<del>gone</del>"), "{}", out.html);
        assert!(out.html.contains("“quoted”"), "{}", out.html);
        assert!(out.html.contains("it’s"), "{}", out.html);
        assert!(out.html.contains("type=\"checkbox\" checked"), "{}", out.html);
        assert!(out.html.contains("class=\"footnote-reference\""), "{}", out.html);
        assert!(out.html.contains("class=\"footnote-definition\" id=\"n\""), "{}", out.html);
        assert_eq!(out.anchors, ["n"]);
    }

    #[test]
    fn raw_html_passes_through() {
        let out = render("<figure class=\"wide\">x</figure>\n\nA <kbd>key</kbd>.\n");
        assert!(out.html.contains("<figure class=\"wide\">x</figure>"));
        assert!(out.html.contains("<kbd>key</kbd>"));
        assert_eq!(out.first_paragraph, "A key.");
    }

    #[test]
    fn heading_ids_are_unique() {
        let out = render("## Background\n\n## Background\n\n## Background 1\n\n## Background\n");
        assert_eq!(out.anchors, ["background", "background-1", "background-1-1", "background-2"]);
        assert!(out.html.contains("<h2 id=\"background\">Background</h2>"));
        assert!(out.html.contains("<h2 id=\"background-1\">Background</h2>"));
    }

    #[test]
    fn chinese_heading_gets_ascii_id() {
        let out = render("## 敦煌研究院\n");
        assert_eq!(out.anchors, ["dun-huang-yan-jiu-yuan"]);
        assert_eq!(out.toc[0].title, "敦煌研究院");
        // Chinese text in a document in another language is marked (see `text::mark_chinese`).
        let marked = "<h2 id=\"dun-huang-yan-jiu-yuan\"><span lang=\"zh\" class=\"zh\">敦煌研究院</span></h2>";
        assert!(out.html.contains(marked), "{}", out.html);
    }

    #[test]
    fn custom_ids_win_and_empty_slugs_fall_back() {
        let out = render("## Intro\n\n## Intro again {#intro}\n\n## !!!\n\n## — ★ —\n");
        assert_eq!(out.anchors, ["intro-1", "intro", "section", "section-1"]);
        assert!(out.html.contains("<h2 id=\"intro\">Intro again</h2>"));
    }

    #[test]
    fn toc_nests_by_level() {
        let out = render("## A\n\n### A.1\n\n### A.2\n\n## B\n");
        assert_eq!(ids(&out.toc), [(2, "a", 2), (2, "b", 0)]);
        assert_eq!(ids(&out.toc[0].children), [(3, "a-1", 0), (3, "a-2", 0)]);
        assert_eq!(out.toc[0].children[1].title, "A.2");
    }

    #[test]
    fn toc_handles_skipped_and_falling_levels() {
        let out = render("#### Deep\n\n## Up\n\n###### Down\n\n### Mid\n\n# Top\n");
        assert_eq!(ids(&out.toc), [(4, "deep", 0), (2, "up", 2), (1, "top", 0)]);
        assert_eq!(ids(&out.toc[1].children), [(6, "down", 0), (3, "mid", 0)]);
    }

    #[test]
    fn toc_titles_are_plain_text() {
        let out = render("## The *Mogao* `caves`[^1] [link](/x) <span>!</span>\n\n[^1]: n\n");
        assert_eq!(out.toc[0].title, "The Mogao caves link !");
        assert_eq!(out.toc[0].id, "the-mogao-caves-link");
    }

    #[test]
    fn first_paragraph_is_plain_text() {
        let out = render(
            "A *first*   paragraph with **strong** and [a link](https://example.org)\nover two lines.\n\nSecond.\n",
        );
        assert_eq!(out.first_paragraph, "A first paragraph with strong and a link over two lines.");
    }

    #[test]
    fn first_paragraph_after_heading_and_image() {
        let out = render("# Title\n\n![a photo](cave.jpg)\n\n> quoted\n\n- item\n\nThe body.\n");
        assert_eq!(out.first_paragraph, "The body.");
        let out = render("敦煌\n研究院\n");
        assert_eq!(out.first_paragraph, "敦煌研究院");
        assert_eq!(render("# Only a heading\n").first_paragraph, "");
    }

    #[test]
    fn english_word_count_and_reading_time() {
        let out = render(&"word ".repeat(440));
        assert_eq!(out.word_count, 440);
        assert_eq!(out.reading_minutes, 2);
        let out = render(&"word ".repeat(441));
        assert_eq!(out.reading_minutes, 3);
        let out = render("Hello, world! It's a well-known *fact*: 3.14 isn't π.");
        assert_eq!(out.word_count, 9);
        assert_eq!(out.reading_minutes, 1);
    }

    #[test]
    fn chinese_word_count_and_reading_time() {
        let out = render(&"敦煌研究院。".repeat(160));
        assert_eq!(out.word_count, 800);
        assert_eq!(out.reading_minutes, 2);
        let out = render(&"敦煌研究院。".repeat(240));
        assert_eq!(out.word_count, 1200);
        assert_eq!(out.reading_minutes, 3);
        let out = render("ひらがなカタカナ 한국어");
        assert_eq!(out.word_count, 11);
    }

    #[test]
    fn mixed_word_count() {
        let out = render("敦煌研究院 and Guimet");
        assert_eq!(out.word_count, 7);
        assert_eq!(out.reading_minutes, 1);
        let out = render("敦煌研究院与Guimet合作");
        assert_eq!(out.word_count, 9);
        // 440 words (2 minutes) and 400 characters (1 minute): 3 minutes.
        let text = format!("{}\n\n{}", "word ".repeat(440), "敦".repeat(400));
        assert_eq!(render(&text).reading_minutes, 3);
    }

    #[test]
    fn image_alt_text_and_html_are_not_words() {
        let out = render("![many words of alt](x.png) one <b class=\"x y z\">two</b>");
        assert_eq!(out.word_count, 2);
    }

    #[test]
    fn links_with_lines_and_columns() {
        let markdown = "\
# Title

See [the site](https://example.org) and ![img](/a.png).
敦煌 [ref][r] <https://auto.example> <a@b.org>

[r]: /ref/
";
        let out = render(markdown);
        let found: Vec<_> = out.links.iter().map(|l| (l.dest.as_str(), l.pos.line, l.pos.column, l.is_image)).collect();
        assert_eq!(
            found,
            [
                ("https://example.org", 3, 5, false),
                ("/a.png", 3, 41, true),
                ("/ref/", 4, 4, false),
                ("https://auto.example", 4, 13, false),
                ("mailto:a@b.org", 4, 36, false),
            ]
        );
    }

    #[test]
    fn link_lines_with_crlf() {
        let out = render("a\r\nb\r\n\r\n[x](/y)\r\n");
        assert_eq!(out.links[0].pos, Position::new(4, 1));
    }

    #[test]
    fn empty_input() {
        let out = render("");
        assert_eq!(out, Rendered::default());
        assert_eq!(out.reading_minutes, 0);
        let out = render("  \n\n");
        assert_eq!(out.word_count, 0);
        assert_eq!(out.reading_minutes, 0);
        assert!(out.toc.is_empty() && out.links.is_empty() && out.anchors.is_empty());
    }

    #[test]
    fn is_pure() {
        let markdown = "## A\n\nText [x](/y).\n\n## A\n";
        assert_eq!(render(markdown), render(markdown));
    }

    #[test]
    fn never_panics_on_odd_input() {
        let deep_quote = ">".repeat(10_000) + " deep";
        let deep_list = "- ".repeat(10_000) + "deep";
        let deep_brackets = "[".repeat(10_000) + &"]".repeat(5_000);
        let many_headings = "## Notes\n\n".repeat(2_000);
        let inputs = [
            "#",
            "# ",
            "##",
            "[",
            "]]][[(",
            "[x](",
            "![",
            "## [^1]\n\n[^1]: note",
            "[^1]",
            "[^]: x",
            "## {#}",
            "## x {#}",
            "\r",
            "\u{feff}# BOM",
            "|a|\n|-|\n|",
            "`",
            "<",
            "<!--",
            "é\u{301}[x](y)",
            &deep_quote,
            &deep_list,
            &deep_brackets,
            &many_headings,
        ];
        for input in inputs {
            let out = render(input);
            let mut unique = HashSet::new();
            assert!(out.anchors.iter().all(|id| unique.insert(id.clone())));
        }
        let out = render("## [^1]\n\n[^1]: note\n");
        assert_eq!(out.toc[0].id, "section");
        assert_eq!(render(&many_headings).anchors.last().unwrap(), "notes-1999");
    }
}
