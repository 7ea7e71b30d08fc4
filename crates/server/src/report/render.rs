//! Rendering of the after-meeting report (HTML page with an SVG timeline, CSV) and of the
//! public archive page.
//!
//! Why server-side: a report must print, be filed and open years later without JavaScript, and
//! the figures come from the pure domain (`borgermode_domain::report`). Everything user-made
//! (titles, names, bodies) is escaped here; the page carries no inline script or style (strict
//! CSP), only `/static/report.css`. Strings come from the client's locale files.

use std::collections::HashMap;
use std::fmt::Write as _;

use borgermode_domain::report::{Distribution, Report};
use borgermode_domain::Language;
use borgermode_protocol::http::{ArchivePost, ArchiveResponse};
use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::content::texts;

/// How a reader of the page's language reads times and numbers: the installation's time zone
/// (`--time-zone`; the audience saw 19:56, not 18:56 UTC), 24-hour clocks, and in Danish the
/// Danish forms (`19.56`, `6.12.2026`, `44,0 %`), in English the British ones (`19:56`,
/// `06/12/2026`, `44.0 %`). The data routes (JSON, CSV) stay UTC and plain.
#[derive(Clone, Copy, Debug)]
pub struct Local {
    pub lang: Language,
    pub tz: Tz,
}

impl Local {
    pub fn new(lang: &str, tz: Tz) -> Self {
        let lang = if lang == "en" {
            Language::En
        } else {
            Language::Da
        };
        Self { lang, tz }
    }

    /// `19.56` / `19:56`.
    pub fn time(&self, t: DateTime<Utc>) -> String {
        texts::local_time(self.lang, self.tz, t)
    }

    /// `19.56.03` / `19:56:03`.
    pub fn time_secs(&self, t: DateTime<Utc>) -> String {
        let l = self.tz.from_utc_datetime(&t.naive_utc());
        let sep = if self.lang == Language::Da { '.' } else { ':' };
        format!(
            "{:02}{sep}{:02}{sep}{:02}",
            l.hour(),
            l.minute(),
            l.second()
        )
    }

    /// `6.12.2026` / `06/12/2026`.
    pub fn date(&self, t: DateTime<Utc>) -> String {
        let l = self.tz.from_utc_datetime(&t.naive_utc());
        match self.lang {
            Language::Da => format!("{}.{}.{}", l.day(), l.month(), l.year()),
            Language::En => format!("{:02}/{:02}/{}", l.day(), l.month(), l.year()),
        }
    }

    pub fn date_time(&self, t: DateTime<Utc>) -> String {
        format!("{} {}", self.date(t), self.time(t))
    }

    /// From one time to another: the date once when both fall on the same local day.
    pub fn span(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> String {
        if self.date(a) == self.date(b) {
            format!("{}–{}", self.date_time(a), self.time(b))
        } else {
            format!("{} – {}", self.date_time(a), self.date_time(b))
        }
    }

    /// One decimal: `44,0` / `44.0`.
    pub fn dec1(&self, v: f64) -> String {
        let s = format!("{v:.1}");
        match self.lang {
            Language::Da => s.replace('.', ","),
            Language::En => s,
        }
    }
}

/// Escape for HTML text and attribute values (also valid inside SVG).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

pub struct Strings(pub HashMap<String, String>);

impl Strings {
    pub fn t(&self, key: &str) -> String {
        self.0.get(key).cloned().unwrap_or_else(|| key.to_string())
    }
    fn e(&self, key: &str) -> String {
        esc(&self.t(key))
    }
}

fn duration(secs: Option<i64>) -> String {
    match secs {
        None => "–".into(),
        Some(s) if s < 60 => format!("{s} s"),
        Some(s) if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        Some(s) => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

fn pct(n: u32, of: u32) -> String {
    if of == 0 {
        "–".into()
    } else {
        format!("{:.0} %", f64::from(n) * 100.0 / f64::from(of))
    }
}

/// The timeline as SVG: posts per minute as bars, viewers per minute as a line, with an
/// accessible title and description.
pub fn timeline_svg(r: &Report, s: &Strings, local: &Local) -> String {
    let (w, h, pad) = (720.0_f64, 220.0_f64, 30.0_f64);
    let n = r.timeline.len().max(1) as f64;
    let max_posts = r.timeline.iter().map(|p| p.posts).max().unwrap_or(0).max(1) as f64;
    let max_viewers = r
        .timeline
        .iter()
        .filter_map(|p| p.viewers)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let bw = (w - 2.0 * pad) / n;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"tl-title tl-desc\">\
<title id=\"tl-title\">{}</title><desc id=\"tl-desc\">{}</desc>",
        s.e("report.timeline"),
        esc(&format!(
            "{} {}; {} {}; {} {}",
            s.t("report.posts"),
            r.posts,
            s.t("report.peak_viewers"),
            r.peak_viewers,
            s.t("report.minutes"),
            r.timeline.len()
        ))
    );
    let _ = write!(
        out,
        "<line x1=\"{pad}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#888\"/>",
        y = h - pad,
        x2 = w - pad
    );
    for (i, p) in r.timeline.iter().enumerate() {
        let bh = f64::from(p.posts) / max_posts * (h - 2.0 * pad);
        let _ = write!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#1a5fb4\"><title>{} {}: {}</title></rect>",
            pad + i as f64 * bw,
            h - pad - bh,
            (bw - 1.0).max(0.5),
            bh,
            esc(&local.time(p.minute)),
            s.e("report.posts"),
            p.posts
        );
    }
    let points: Vec<String> = r
        .timeline
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.viewers.map(|v| {
                format!(
                    "{:.1},{:.1}",
                    pad + (i as f64 + 0.5) * bw,
                    h - pad - f64::from(v) / max_viewers * (h - 2.0 * pad)
                )
            })
        })
        .collect();
    if !points.is_empty() {
        let _ = write!(
            out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#c64600\" stroke-width=\"2\"/>",
            points.join(" ")
        );
    }
    if let (Some(first), Some(last)) = (r.timeline.first(), r.timeline.last()) {
        let _ = write!(
            out,
            "<text x=\"{pad}\" y=\"{}\" font-size=\"11\">{}</text><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            h - 10.0,
            esc(&local.time(first.minute)),
            w - pad,
            h - 10.0,
            esc(&local.time(last.minute))
        );
    }
    let _ = write!(
        out,
        "<text x=\"{pad}\" y=\"16\" font-size=\"11\" fill=\"#1a5fb4\">■ {} (max {})</text><text x=\"{}\" y=\"16\" font-size=\"11\" fill=\"#c64600\" text-anchor=\"end\">— {} (max {})</text></svg>",
        s.e("report.posts_per_minute"),
        max_posts as u32,
        w - pad,
        s.e("report.viewers"),
        max_viewers as u32
    );
    out
}

fn distribution_table(d: &Distribution, prefix: &str, s: &Strings) -> String {
    let mut out = String::from("<table><thead><tr>");
    let _ = write!(
        out,
        "<th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead><tbody>",
        s.e("report.group"),
        s.e("report.count")
    );
    for c in &d.cells {
        let count = match c.count {
            Some(n) => n.to_string(),
            None => s.t("report.suppressed"),
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
            s.e(&format!("{prefix}.{}", c.group)),
            esc(&count)
        );
    }
    let total = d
        .total
        .map(|t| t.to_string())
        .unwrap_or_else(|| s.t("report.suppressed"));
    let _ = write!(
        out,
        "</tbody><tfoot><tr><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr></tfoot></table>",
        s.e("report.total"),
        esc(&total)
    );
    out
}

/// The whole printable report page.
pub fn report_html(
    r: &Report,
    meeting: uuid::Uuid,
    lang: &str,
    s: &Strings,
    local: &Local,
) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{} – {}</title><link rel=\"stylesheet\" href=\"/static/report.css\"></head><body><main id=\"report\">",
        esc(lang),
        s.e("report.title"),
        esc(&r.title)
    );
    let when = match (r.opened_at, r.closed_at) {
        (Some(a), Some(b)) => local.span(a, b),
        (Some(a), None) => format!("{} –", local.date_time(a)),
        _ => String::new(),
    };
    let _ = write!(
        o,
        "<h1>{}</h1><p class=\"meta\">{}: {}</p>",
        esc(&r.title),
        s.e("report.title"),
        esc(&when)
    );
    let base = format!("/api/meetings/{meeting}");
    let _ = write!(
        o,
        "<p class=\"actions no-print\"><a href=\"{base}/report.csv\" download>{}</a><a href=\"{base}/report\">{}</a><a href=\"{base}/export.ndjson\" download>{}</a><a href=\"{base}/export.csv\" download>{}</a><a href=\"/m/{meeting}/archive\">{}</a></p>",
        s.e("report.download_csv"),
        s.e("report.download_json"),
        s.e("report.export_ndjson"),
        s.e("report.export_csv"),
        s.e("archive.title")
    );
    // Key figures.
    let a = &r.answers;
    let figures = [
        ("report.participants", r.participants.to_string()),
        ("report.peak_viewers", r.peak_viewers.to_string()),
        ("report.average_viewers", local.dec1(r.average_viewers)),
        ("report.posts", r.posts.to_string()),
        ("report.questions", r.questions.to_string()),
        ("report.comments", r.comments.to_string()),
        ("report.replies", r.replies.to_string()),
        ("report.votes", r.votes.to_string()),
    ];
    let _ = write!(
        o,
        "<section aria-labelledby=\"h-figures\"><h2 id=\"h-figures\">{}</h2><ul class=\"figures\">",
        s.e("report.figures")
    );
    for (k, v) in figures {
        let _ = write!(o, "<li><strong>{}</strong>{}</li>", esc(&v), s.e(k));
    }
    o.push_str("</ul></section>");
    // Answers.
    let _ = write!(
        o,
        "<section aria-labelledby=\"h-answers\"><h2 id=\"h-answers\">{}</h2><table><tbody>",
        s.e("report.answers")
    );
    for (k, n) in [
        ("report.answered_live", a.answered_live),
        ("report.written_during", a.written_during),
        ("report.answered_after", a.answered_after),
        ("report.dismissed", a.dismissed),
        ("report.unanswered", a.unanswered),
    ] {
        let _ = write!(
            o,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{n}</td><td class=\"num\">{}</td></tr>",
            s.e(k),
            pct(n, a.questions)
        );
    }
    let _ = write!(
        o,
        "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td></tr></tbody></table>",
        s.e("report.answered_total"),
        a.answered(),
        esc(&format!("{} {}", s.t("report.of"), a.questions))
    );
    let _ = write!(
        o,
        "<p>{}: {} · {}: {}</p>",
        s.e("report.median"),
        esc(&duration(a.median_secs)),
        s.e("report.p90"),
        esc(&duration(a.p90_secs))
    );
    if !r.panelists.is_empty() {
        let _ = write!(
            o,
            "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead><tbody>",
            s.e("report.panelist"),
            s.e("report.answered_total"),
            s.e("report.median"),
            s.e("report.p90")
        );
        for p in &r.panelists {
            let _ = write!(
                o,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&p.name),
                p.answered,
                esc(&duration(p.median_secs)),
                esc(&duration(p.p90_secs))
            );
        }
        o.push_str("</tbody></table>");
    }
    o.push_str("</section>");
    // Timeline.
    let _ = write!(
        o,
        "<section aria-labelledby=\"h-timeline\"><h2 id=\"h-timeline\">{}</h2>{}</section>",
        s.e("report.timeline"),
        timeline_svg(r, s, local)
    );
    // Moderation.
    let _ = write!(
        o,
        "<section aria-labelledby=\"h-moderation\"><h2 id=\"h-moderation\">{}</h2>",
        s.e("report.moderation")
    );
    if r.moderation.is_empty() {
        let _ = write!(o, "<p>{}</p>", s.e("report.no_moderation"));
    } else {
        let _ = write!(
            o,
            "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead><tbody>",
            s.e("report.action"),
            s.e("report.reason"),
            s.e("report.count")
        );
        for m in &r.moderation {
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                s.e(&format!("report.action.{}", m.action)),
                s.e(&format!("report.reason.{}", m.reason)),
                m.count
            );
        }
        o.push_str("</tbody></table>");
    }
    o.push_str("</section>");
    // Demographics and targets.
    let _ = write!(
        o,
        "<section aria-labelledby=\"h-demo\"><h2 id=\"h-demo\">{}</h2><p class=\"hint\">{}</p><h3>{}</h3>{}<h3>{}</h3>{}",
        s.e("report.demographics"),
        s.e("report.suppression_note"),
        s.e("report.age"),
        distribution_table(&r.age, "report.age", s),
        s.e("report.gender"),
        distribution_table(&r.gender, "report.gender", s)
    );
    if !r.targets.is_empty() {
        let _ = write!(o, "<h3>{}</h3><table><tbody>", s.e("report.targets"));
        for t in &r.targets {
            let share = match (t.share_low_pct, t.share_high_pct) {
                (Some(l), Some(h)) if (l - h).abs() < f64::EPSILON => {
                    format!("{} %", local.dec1(l))
                }
                (Some(l), Some(h)) => format!("{}–{} %", local.dec1(l), local.dec1(h)),
                _ => s.t("report.suppressed"),
            };
            let (class, verdict) = match t.met {
                Some(true) => ("met-yes", s.t("report.target_met")),
                Some(false) => ("met-no", s.t("report.target_missed")),
                None => ("", s.t("report.target_open")),
            };
            let _ = write!(
                o,
                "<tr><th scope=\"row\">{}</th><td class=\"num\">≥ {} %</td><td class=\"num\">{}</td><td class=\"{class}\">{}</td></tr>",
                s.e(&format!("report.target.{}", t.target)),
                t.min_pct,
                esc(&share),
                esc(&verdict)
            );
        }
        o.push_str("</tbody></table>");
    }
    o.push_str("</section></main></body></html>");
    o
}

/// The report's figures as CSV: `section,key,value` rows (RFC 4180).
pub fn report_csv(r: &Report) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Names and the title are people's text: neutralized like the exports' cells.
    let mut row = |a: &str, b: &str, c: String| {
        let _ = w.write_record(
            [a.to_string(), b.to_string(), c].map(crate::report::export::neutralize_cell),
        );
    };
    row("section", "key", "value".into());
    row("meeting", "title", r.title.clone());
    for (k, v) in [
        ("participants", r.participants),
        ("peak_viewers", r.peak_viewers),
        ("posts", r.posts),
        ("questions", r.questions),
        ("comments", r.comments),
        ("replies", r.replies),
        ("notices", r.notices),
        ("votes", r.votes),
    ] {
        row("figures", k, v.to_string());
    }
    row(
        "figures",
        "average_viewers",
        format!("{:.1}", r.average_viewers),
    );
    let a = &r.answers;
    for (k, v) in [
        ("questions", a.questions),
        ("answered_live", a.answered_live),
        ("written_during", a.written_during),
        ("answered_after", a.answered_after),
        ("dismissed", a.dismissed),
        ("unanswered", a.unanswered),
    ] {
        row("answers", k, v.to_string());
    }
    let opt = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    row("answers", "median_secs", opt(a.median_secs));
    row("answers", "p90_secs", opt(a.p90_secs));
    for p in &r.panelists {
        row(
            "panelist",
            &p.name,
            format!(
                "{} answered; median {} s; p90 {} s",
                p.answered,
                opt(p.median_secs),
                opt(p.p90_secs)
            ),
        );
    }
    for m in &r.moderation {
        row(
            "moderation",
            &format!("{}:{}", m.action, m.reason),
            m.count.to_string(),
        );
    }
    for (name, d) in [("age", &r.age), ("gender", &r.gender)] {
        for c in &d.cells {
            row(
                name,
                &c.group,
                c.count
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "suppressed".into()),
            );
        }
        row(
            name,
            "total",
            d.total
                .map(|n| n.to_string())
                .unwrap_or_else(|| "suppressed".into()),
        );
    }
    for p in &r.timeline {
        row(
            "timeline",
            &p.minute.to_rfc3339(),
            format!(
                "{} posts; {} viewers",
                p.posts,
                p.viewers.map(|v| v.to_string()).unwrap_or_default()
            ),
        );
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Threads (a top-level post with its replies) per archive page. A big meeting's archive (417
/// posts in 2013) as one flat page was 67,000 px tall; threads of 50 with long reply lists
/// folded keep a page readable on a phone, and every page still works without JavaScript.
pub const ARCHIVE_PAGE_THREADS: usize = 50;

/// A thread's replies stay unfolded up to this many; more are folded behind "N replies".
const OPEN_REPLIES: usize = 2;

/// The archive's posts as threads: each top-level post (or a reply whose parent the public
/// never saw) with the replies under it, in order.
fn threads(a: &ArchiveResponse) -> Vec<(&ArchivePost, Vec<&ArchivePost>)> {
    let by_id: HashMap<u64, &ArchivePost> = a.posts.iter().map(|p| (p.id, p)).collect();
    let root_of = |p: &ArchivePost| {
        let mut cur = p;
        // Replies are one level deep today; the bound only guards against a cycle.
        for _ in 0..16 {
            match cur.parent.and_then(|id| by_id.get(&id)) {
                Some(parent) => cur = parent,
                None => break,
            }
        }
        cur.id
    };
    let mut order: Vec<u64> = Vec::new();
    let mut replies: HashMap<u64, Vec<&ArchivePost>> = HashMap::new();
    for p in &a.posts {
        let root = root_of(p);
        if root == p.id {
            order.push(p.id);
        } else {
            replies.entry(root).or_default().push(p);
        }
    }
    order
        .into_iter()
        .filter_map(|id| {
            by_id
                .get(&id)
                .map(|p| (*p, replies.remove(&id).unwrap_or_default()))
        })
        .collect()
}

fn archive_post(o: &mut String, p: &ArchivePost, s: &Strings, local: &Local) {
    let kind = match p.kind {
        borgermode_domain::PostKind::Question => "question",
        borgermode_domain::PostKind::Comment if p.parent.is_some() => "reply",
        borgermode_domain::PostKind::Comment => "comment",
        borgermode_domain::PostKind::Notice => "notice",
    };
    let _ = write!(o, "<article class=\"post {kind}\" id=\"p{}\">", p.id);
    match (&p.body, p.hidden_reason) {
        (_, Some(reason)) => {
            let _ = write!(
                o,
                "<p class=\"tombstone\">{} {}</p>",
                s.e("archive.hidden"),
                s.e(&format!(
                    "report.reason.{}",
                    serde_json::to_value(reason)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default()
                ))
            );
        }
        (Some(body), None) => {
            let _ = write!(
                o,
                "<p class=\"meta\">{} · {} · <time datetime=\"{}\">{}</time></p><p>{}</p>",
                s.e(&format!(
                    "kind.{}",
                    if kind == "reply" { "comment" } else { kind }
                )),
                esc(p.author.as_deref().unwrap_or("")),
                esc(&p.created_at.to_rfc3339()),
                esc(&local.time(p.created_at)),
                esc(body)
            );
        }
        (None, None) => {}
    }
    if let Some(ans) = &p.answer {
        let _ = write!(
            o,
            "<div class=\"answer\"><p class=\"meta\">{} · {} · <time datetime=\"{}\">{}</time></p>{}</div>",
            s.e(&format!("archive.answer_{}", ans.mode)),
            esc(ans.by.as_deref().unwrap_or("")),
            esc(&ans.at.to_rfc3339()),
            esc(&local.date_time(ans.at)),
            ans.text
                .as_deref()
                .map(|t| if ans.mode == "written" {
                    crate::content::markdown::to_safe_html(t)
                } else {
                    format!("<p>{}</p>", esc(t))
                })
                .unwrap_or_default()
        );
    }
}

/// "Previous · Page 2 of 5 · Next" (nothing for a single page), above and below the threads;
/// `label` names the landmark (the two navigations need different names: axe landmark-unique).
fn page_nav(o: &mut String, page: usize, pages: usize, lang: &str, s: &Strings, label: &str) {
    if pages <= 1 {
        return;
    }
    let _ = write!(o, "<nav class=\"pages\" aria-label=\"{}\"><ul>", s.e(label));
    if page > 1 {
        let _ = write!(
            o,
            "<li><a rel=\"prev\" href=\"?page={}&amp;lang={lang}\">{}</a></li>",
            page - 1,
            s.e("archive.prev")
        );
    }
    let _ = write!(
        o,
        "<li aria-current=\"page\">{}</li>",
        esc(&s
            .t("archive.page_of")
            .replace("{n}", &page.to_string())
            .replace("{of}", &pages.to_string()))
    );
    if page < pages {
        let _ = write!(
            o,
            "<li><a rel=\"next\" href=\"?page={}&amp;lang={lang}\">{}</a></li>",
            page + 1,
            s.e("archive.next")
        );
    }
    o.push_str("</ul></nav>");
}

/// The public archive page of a closed meeting: page `page` (from 1; out of range = the last)
/// of its threads; the moderation log is on the last page.
pub fn archive_html(
    a: &ArchiveResponse,
    lang: &str,
    s: &Strings,
    local: &Local,
    page: usize,
) -> String {
    let lang = if lang == "en" { "en" } else { "da" };
    let threads = threads(a);
    let pages = threads.len().div_ceil(ARCHIVE_PAGE_THREADS).max(1);
    let page = page.clamp(1, pages);
    // Which page each post is on, for links from the moderation log.
    let mut page_of: HashMap<u64, usize> = HashMap::new();
    for (i, (top, replies)) in threads.iter().enumerate() {
        let n = i / ARCHIVE_PAGE_THREADS + 1;
        page_of.insert(top.id, n);
        for r in replies {
            page_of.insert(r.id, n);
        }
    }
    let mut o = String::new();
    let _ = write!(
        o,
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{} – {}</title><link rel=\"stylesheet\" href=\"/static/report.css\"></head><body><main id=\"archive\"><h1>{}</h1><p class=\"meta\">{}</p>",
        esc(lang),
        s.e("archive.title"),
        esc(&a.title),
        esc(&a.title),
        esc(&format!(
            "{} {}",
            s.t("archive.closed"),
            a.closed_at.map(|c| local.date_time(c)).unwrap_or_default()
        ))
    );
    let _ = write!(
        o,
        "<p class=\"meta\">{} · <a href=\"?page={pages}&amp;lang={lang}#h-log\">{}</a></p>",
        esc(&s
            .t("archive.summary")
            .replace("{posts}", &a.posts.len().to_string())
            .replace("{threads}", &threads.len().to_string())),
        s.e("archive.moderation_log")
    );
    let _ = write!(
        o,
        "<section aria-labelledby=\"h-posts\"><h2 id=\"h-posts\">{}</h2>",
        s.e("archive.posts")
    );
    page_nav(&mut o, page, pages, lang, s, "archive.pages");
    for (top, replies) in threads
        .iter()
        .skip((page - 1) * ARCHIVE_PAGE_THREADS)
        .take(ARCHIVE_PAGE_THREADS)
    {
        archive_post(&mut o, top, s, local);
        if !replies.is_empty() {
            let _ = write!(
                o,
                "<details class=\"replies\"{}><summary>{}</summary><ol class=\"replies\">",
                if replies.len() <= OPEN_REPLIES {
                    " open"
                } else {
                    ""
                },
                esc(&s
                    .t("archive.replies")
                    .replace("{n}", &replies.len().to_string()))
            );
            for r in replies {
                o.push_str("<li>");
                archive_post(&mut o, r, s, local);
                o.push_str("</article></li>");
            }
            o.push_str("</ol></details>");
        }
        o.push_str("</article>");
    }
    page_nav(&mut o, page, pages, lang, s, "archive.pages_bottom");
    o.push_str("</section>");
    if page < pages {
        o.push_str("</main></body></html>");
        return o;
    }
    let _ = write!(
        o,
        "<section aria-labelledby=\"h-log\"><h2 id=\"h-log\">{}</h2>",
        s.e("archive.moderation_log")
    );
    if a.moderation_log.is_empty() {
        let _ = write!(o, "<p>{}</p>", s.e("report.no_moderation"));
    } else {
        let show_mod = a.moderation_log.iter().any(|m| m.moderator.is_some());
        let _ = write!(
            o,
            "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>{}</tr></thead><tbody>",
            s.e("archive.time"),
            s.e("report.action"),
            s.e("report.reason"),
            s.e("archive.post"),
            if show_mod { format!("<th scope=\"col\">{}</th>", s.e("archive.moderator")) } else { String::new() }
        );
        for m in &a.moderation_log {
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}</tr>",
                esc(&local.time_secs(m.at)),
                s.e(&format!("report.action.{}", m.action)),
                m.reason
                    .as_deref()
                    .map(|r| s.e(&format!("report.reason.{r}")))
                    .unwrap_or_default(),
                m.post
                    .map(|p| match page_of.get(&p) {
                        Some(n) if *n != page => {
                            format!("<a href=\"?page={n}&amp;lang={lang}#p{p}\">#{p}</a>")
                        }
                        _ => format!("<a href=\"#p{p}\">#{p}</a>"),
                    })
                    .unwrap_or_default(),
                if show_mod {
                    format!("<td>{}</td>", esc(m.moderator.as_deref().unwrap_or("")))
                } else {
                    String::new()
                }
            );
        }
        o.push_str("</tbody></table>");
    }
    o.push_str("</section></main></body></html>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("<b a=\"x\">&'"), "&lt;b a=&quot;x&quot;&gt;&amp;&#39;");
    }
}
