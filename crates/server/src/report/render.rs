//! Rendering of the after-meeting report (HTML page with an SVG timeline, CSV) and of the
//! public archive page.
//!
//! Why server-side: a report must print, be filed and open years later without JavaScript, and
//! the figures come from the pure domain (`borgermode_domain::report`). Everything user-made
//! (titles, names, bodies) is escaped here; the page carries no inline script or style (strict
//! CSP), only `/static/report.css`. Strings come from the client's locale files.

use std::collections::HashMap;
use std::fmt::Write as _;

use borgermode_domain::report::{Distribution, PollFigures, PollGroups, Report};
use borgermode_domain::{Language, PollKind, PollResults};
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

/// Labels of a poll's result rows: the options, or the scale's values with its end labels.
pub fn option_labels(kind: &PollKind) -> Vec<String> {
    match kind {
        PollKind::SingleChoice { options } | PollKind::MultipleChoice { options, .. } => {
            options.clone()
        }
        PollKind::Scale {
            max,
            low_label,
            high_label,
        } => (1..=*max)
            .map(|v| match v {
                1 if !low_label.is_empty() => format!("1 ({low_label})"),
                v if v == *max && !high_label.is_empty() => format!("{v} ({high_label})"),
                v => v.to_string(),
            })
            .collect(),
        PollKind::WordCloud | PollKind::OpenAnswer => Vec::new(),
    }
}

/// The wire name of a poll's kind (`single_choice`, ...).
pub fn kind_name(kind: &PollKind) -> &'static str {
    match kind {
        PollKind::SingleChoice { .. } => "single_choice",
        PollKind::MultipleChoice { .. } => "multiple_choice",
        PollKind::Scale { .. } => "scale",
        PollKind::WordCloud => "word_cloud",
        PollKind::OpenAnswer => "open_answer",
    }
}

/// A share as a bar: inline SVG (the CSP allows no inline style), hidden from screen readers
/// (the number next to it says the same).
fn bar(n: u32, of: u32) -> String {
    let w = if of == 0 {
        0.0
    } else {
        f64::from(n) * 100.0 / f64::from(of)
    };
    format!(
        "<svg class=\"bar\" viewBox=\"0 0 100 8\" preserveAspectRatio=\"none\" aria-hidden=\"true\" focusable=\"false\"><rect width=\"{w:.1}\" height=\"8\"/></svg>"
    )
}

/// One poll's results as a table (choices and scales: people and share per row; word clouds:
/// the words; open answers: the listed texts). `caption` names the table.
pub fn poll_results_html(
    o: &mut String,
    kind: &PollKind,
    results: &PollResults,
    s: &Strings,
    caption: &str,
) {
    let n = results.respondents;
    match kind {
        PollKind::WordCloud => {
            if results.words.is_empty() {
                let _ = write!(o, "<p>{}</p>", s.e("report.poll.no_answers"));
                return;
            }
            let _ = write!(
                o,
                "<table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead><tbody>",
                esc(caption),
                s.e("report.poll.word"),
                s.e("report.count")
            );
            for w in &results.words {
                let _ = write!(
                    o,
                    "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
                    esc(&w.word),
                    w.count
                );
            }
            o.push_str("</tbody></table>");
        }
        PollKind::OpenAnswer => {
            if results.texts.is_empty() {
                let _ = write!(o, "<p>{}</p>", s.e("report.poll.no_answers"));
                return;
            }
            o.push_str("<ul class=\"poll-texts\">");
            for t in &results.texts {
                let _ = write!(o, "<li>{}</li>", esc(t));
            }
            o.push_str("</ul>");
        }
        _ => {
            let _ = write!(
                o,
                "<table class=\"poll\"><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\"><span class=\"sr-only\">{}</span></th></tr></thead><tbody>",
                esc(caption),
                s.e("report.poll.option"),
                s.e("report.count"),
                s.e("report.poll.share"),
                s.e("report.poll.bar")
            );
            for (label, c) in option_labels(kind).iter().zip(&results.counts) {
                let _ = write!(
                    o,
                    "<tr><td>{}</td><td class=\"num\">{c}</td><td class=\"num\">{}</td><td class=\"bar\">{}</td></tr>",
                    esc(label),
                    pct(*c, n),
                    bar(*c, n)
                );
            }
            o.push_str("</tbody></table>");
        }
    }
}

fn agenda_section(o: &mut String, r: &Report, s: &Strings) {
    if r.agenda.is_empty() {
        return;
    }
    let _ = write!(
        o,
        "<section aria-labelledby=\"h-agenda\"><h2 id=\"h-agenda\">{}</h2><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead><tbody>",
        s.e("report.agenda"),
        s.e("report.agenda.item"),
        s.e("report.questions"),
        s.e("report.answered_total"),
        s.e("report.agenda.answered_share"),
        s.e("report.median")
    );
    for a in &r.agenda {
        let title = a
            .title
            .clone()
            .unwrap_or_else(|| s.t("report.agenda.no_item"));
        let _ = write!(
            o,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&title),
            a.questions,
            a.answered,
            pct(a.answered, a.questions),
            esc(&duration(a.median_secs))
        );
    }
    o.push_str("</tbody></table></section>");
}

/// One dimension of a poll's breakdown: a row per group, respondents and the count of each
/// option (choice and scale polls).
fn breakdown_table(
    o: &mut String,
    g: &PollGroups,
    prefix: &str,
    labels: &[String],
    s: &Strings,
    caption: &str,
) {
    let _ = write!(
        o,
        "<table class=\"breakdown\"><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th>",
        esc(caption),
        s.e("report.group"),
        s.e("report.poll.respondents")
    );
    for l in labels {
        let _ = write!(o, "<th scope=\"col\" class=\"num\">{}</th>", esc(l));
    }
    o.push_str("</tr></thead><tbody>");
    for c in &g.groups {
        let _ = write!(
            o,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td>",
            s.e(&format!("{prefix}.{}", c.group)),
            esc(&c
                .respondents
                .map(|n| n.to_string())
                .unwrap_or_else(|| s.t("report.suppressed")))
        );
        for i in 0..labels.len() {
            let cell = match &c.counts {
                Some(v) => v.get(i).map(|n| n.to_string()).unwrap_or_default(),
                None => "–".into(),
            };
            let _ = write!(o, "<td class=\"num\">{}</td>", esc(&cell));
        }
        o.push_str("</tr>");
    }
    let _ = write!(
        o,
        "</tbody><tfoot><tr><th scope=\"row\">{}</th><td class=\"num\">{}</td>{}</tr></tfoot></table>",
        s.e("report.total"),
        esc(&g
            .total
            .map(|t| t.to_string())
            .unwrap_or_else(|| s.t("report.suppressed"))),
        "<td></td>".repeat(labels.len())
    );
}

fn targets_table(
    o: &mut String,
    targets: &[borgermode_domain::report::TargetResult],
    s: &Strings,
    local: &Local,
) {
    if targets.is_empty() {
        return;
    }
    o.push_str("<table><tbody>");
    for t in targets {
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

fn poll_section(o: &mut String, p: &PollFigures, s: &Strings, local: &Local) {
    let id = p.poll.0;
    let _ = write!(
        o,
        "<article class=\"poll\" id=\"poll{id}\" aria-labelledby=\"h-poll{id}\"><h3 id=\"h-poll{id}\">{}</h3><p class=\"meta\">{} · {} · {}{}</p>",
        esc(&p.question),
        s.e(&format!("report.poll.kind.{}", kind_name(&p.kind))),
        s.e(&format!("report.poll.status.{}", match p.status {
            borgermode_domain::PollStatus::Draft => "draft",
            borgermode_domain::PollStatus::Open => "open",
            borgermode_domain::PollStatus::Closed => "closed",
        })),
        esc(&s
            .t("report.poll.respondents_n")
            .replace("{n}", &p.results.respondents.to_string())),
        match (p.launched_at, p.closed_at) {
            (Some(a), Some(b)) => format!(" · {}", esc(&local.span(a, b))),
            (Some(a), None) => format!(" · {}", esc(&local.date_time(a))),
            _ => String::new(),
        }
    );
    poll_results_html(o, &p.kind, &p.results, s, &s.t("report.poll.results"));
    match (&p.breakdown, p.breakdown_missing) {
        (Some(b), _) => {
            let labels = option_labels(&p.kind);
            breakdown_table(
                o,
                &b.age,
                "report.age",
                &labels,
                s,
                &s.t("report.poll.by_age"),
            );
            breakdown_table(
                o,
                &b.gender,
                "report.gender",
                &labels,
                s,
                &s.t("report.poll.by_gender"),
            );
            targets_table(o, &b.targets, s, local);
        }
        (None, Some(why)) => {
            let key = match why {
                borgermode_domain::report::BreakdownMissing::NotClosed => {
                    "report.poll.breakdown_not_closed"
                }
                borgermode_domain::report::BreakdownMissing::Pseudonymized => {
                    "report.poll.breakdown_pseudonymized"
                }
            };
            let _ = write!(o, "<p class=\"hint\">{}</p>", s.e(key));
        }
        (None, None) => {}
    }
    o.push_str("</article>");
}

fn polls_section(o: &mut String, r: &Report, s: &Strings, local: &Local) {
    if r.polls.is_empty() {
        return;
    }
    let _ = write!(
        o,
        "<section aria-labelledby=\"h-polls\"><h2 id=\"h-polls\">{}</h2><p class=\"hint\">{}</p>",
        s.e("report.polls"),
        s.e("report.poll.breakdown_note")
    );
    for p in &r.polls {
        poll_section(o, p, s, local);
    }
    o.push_str("</section>");
}

/// The meeting's main topics as a word list, each word sized by how many questions use it (a
/// class per fifth of the largest count: the CSP allows no inline style), with the count
/// written out for screen readers and print.
fn topics_section(o: &mut String, r: &Report, s: &Strings) {
    if r.topics.is_empty() {
        return;
    }
    let _ = write!(
        o,
        "<section aria-labelledby=\"h-topics\"><h2 id=\"h-topics\">{}</h2><p class=\"hint\">{}</p><ul class=\"topics\">",
        s.e("report.topics"),
        s.e("report.topics_hint")
    );
    let max = r
        .topics
        .iter()
        .map(|t| t.questions)
        .max()
        .unwrap_or(1)
        .max(1);
    for t in &r.topics {
        let size = (t.questions * 5).div_ceil(max).clamp(1, 5);
        let _ = write!(
            o,
            "<li class=\"topic t{size}\">{} <span class=\"n\">({})</span></li>",
            esc(&t.word),
            t.questions
        );
    }
    o.push_str("</ul></section>");
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
        "<p class=\"actions no-print\"><a href=\"{base}/report.csv\" download>{}</a><a href=\"{base}/report\">{}</a><a href=\"{base}/export.ndjson\" download>{}</a><a href=\"{base}/export.csv\" download>{}</a>{}<a href=\"/m/{meeting}/archive\">{}</a></p>",
        s.e("report.download_csv"),
        s.e("report.download_json"),
        s.e("report.export_ndjson"),
        s.e("report.export_csv"),
        if r.polls.is_empty() {
            String::new()
        } else {
            format!(
                "<a href=\"{base}/export/polls.csv\" download>{}</a>",
                s.e("report.export_polls_csv")
            )
        },
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
    topics_section(&mut o, r, s);
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
    agenda_section(&mut o, r, s);
    polls_section(&mut o, r, s, local);
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
    for t in &r.topics {
        row("topics", &t.word, t.questions.to_string());
    }
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
    for a in &r.agenda {
        let section = match a.item {
            Some(i) => format!("agenda:{}", i.0),
            None => "agenda:none".into(),
        };
        row(&section, "title", a.title.clone().unwrap_or_default());
        row(&section, "questions", a.questions.to_string());
        row(&section, "answered", a.answered.to_string());
        row(
            &section,
            "answered_pct",
            a.answered_pct
                .map(|v| format!("{v:.1}"))
                .unwrap_or_default(),
        );
        row(&section, "median_secs", opt(a.median_secs));
    }
    let suppressed = |v: Option<u32>| {
        v.map(|n| n.to_string())
            .unwrap_or_else(|| "suppressed".into())
    };
    for p in &r.polls {
        let section = format!("poll:{}", p.poll.0);
        row(&section, "question", p.question.clone());
        row(&section, "kind", kind_name(&p.kind).into());
        row(
            &section,
            "status",
            serde_json::to_value(p.status)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
        );
        row(
            &section,
            "agenda_item",
            p.agenda_item.map(|i| i.0.to_string()).unwrap_or_default(),
        );
        row(&section, "respondents", p.results.respondents.to_string());
        let labels = option_labels(&p.kind);
        for (i, (label, c)) in labels.iter().zip(&p.results.counts).enumerate() {
            row(&section, &format!("option.{}", i + 1), label.clone());
            row(&section, &format!("option.{}.count", i + 1), c.to_string());
        }
        for w in &p.results.words {
            row(&section, &format!("word:{}", w.word), w.count.to_string());
        }
        for t in &p.results.texts {
            row(&section, "text", t.clone());
        }
        match (&p.breakdown, p.breakdown_missing) {
            (Some(b), _) => {
                for (dim, g) in [("age", &b.age), ("gender", &b.gender)] {
                    for c in &g.groups {
                        row(
                            &section,
                            &format!("{dim}.{}.respondents", c.group),
                            suppressed(c.respondents),
                        );
                        for i in 0..labels.len() {
                            row(
                                &section,
                                &format!("{dim}.{}.option.{}", c.group, i + 1),
                                match &c.counts {
                                    Some(v) => v.get(i).map(|n| n.to_string()).unwrap_or_default(),
                                    None => "suppressed".into(),
                                },
                            );
                        }
                    }
                    row(&section, &format!("{dim}.total"), suppressed(g.total));
                }
                for t in &b.targets {
                    row(
                        &section,
                        &format!("target.{}", t.target),
                        format!(
                            "min {}%; share {}..{}%; met {}",
                            t.min_pct,
                            t.share_low_pct
                                .map(|v| format!("{v:.1}"))
                                .unwrap_or_default(),
                            t.share_high_pct
                                .map(|v| format!("{v:.1}"))
                                .unwrap_or_default(),
                            match t.met {
                                Some(true) => "yes",
                                Some(false) => "no",
                                None => "open",
                            }
                        ),
                    );
                }
            }
            (None, Some(why)) => row(
                &section,
                "breakdown",
                match why {
                    borgermode_domain::report::BreakdownMissing::NotClosed => "not_closed".into(),
                    borgermode_domain::report::BreakdownMissing::Pseudonymized => {
                        "pseudonymized".into()
                    }
                },
            ),
            (None, None) => {}
        }
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

/// `?item=` of the archive page: the threads of one agenda item, or of questions without one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemFilter {
    Item(u64),
    None,
}

impl ItemFilter {
    /// `item=12` or `item=none`.
    pub fn parse(v: &str) -> Option<Self> {
        match v {
            "none" => Some(Self::None),
            v => v.parse().ok().map(Self::Item),
        }
    }

    fn param(&self) -> String {
        match self {
            Self::Item(id) => id.to_string(),
            Self::None => "none".into(),
        }
    }

    /// A thread belongs to an item through its top post; a comment has no item, so `none`
    /// lists the questions without an item and every comment thread.
    fn matches(&self, top: &ArchivePost) -> bool {
        match self {
            Self::Item(id) => top.agenda_item == Some(*id),
            Self::None => top.agenda_item.is_none(),
        }
    }
}

/// The agenda in order, each item with its planned time, description and a link to its
/// questions; "All items" and "No item" links around them.
fn archive_agenda(
    o: &mut String,
    a: &ArchiveResponse,
    lang: &str,
    s: &Strings,
    local: &Local,
    filter: Option<ItemFilter>,
) {
    if a.agenda.is_empty() {
        return;
    }
    let questions = |f: ItemFilter| {
        a.posts
            .iter()
            .filter(|p| p.kind == borgermode_domain::PostKind::Question && p.parent.is_none())
            .filter(|p| f.matches(p))
            .count()
    };
    let current = |f: Option<ItemFilter>| {
        if f == filter {
            " aria-current=\"true\""
        } else {
            ""
        }
    };
    let _ = write!(
        o,
        "<section aria-labelledby=\"h-agenda\"><h2 id=\"h-agenda\">{}</h2><ol class=\"agenda\">",
        s.e("archive.agenda")
    );
    for i in &a.agenda {
        let f = ItemFilter::Item(i.id);
        let _ = write!(
            o,
            "<li id=\"item{}\"><a href=\"?lang={lang}&amp;item={}#h-posts\"{}>{}</a>{} · {}{}</li>",
            i.id,
            i.id,
            current(Some(f)),
            esc(&i.title),
            i.planned_start
                .map(|t| format!(
                    " · <time datetime=\"{}\">{}</time>",
                    esc(&t.to_rfc3339()),
                    esc(&local.time(t))
                ))
                .unwrap_or_default(),
            esc(&s
                .t("archive.agenda_questions")
                .replace("{n}", &questions(f).to_string())),
            if i.description_html.is_empty() {
                String::new()
            } else {
                format!("<div class=\"description\">{}</div>", i.description_html)
            }
        );
    }
    o.push_str("</ol>");
    let _ = write!(
        o,
        "<nav class=\"agenda-filter\" aria-label=\"{}\"><ul><li><a href=\"?lang={lang}#h-posts\"{}>{}</a></li>",
        s.e("archive.agenda_filter"),
        current(None),
        s.e("archive.agenda_all")
    );
    if questions(ItemFilter::None) > 0 {
        let _ = write!(
            o,
            "<li><a href=\"?lang={lang}&amp;item=none#h-posts\"{}>{}</a></li>",
            current(Some(ItemFilter::None)),
            s.e("archive.agenda_no_item")
        );
    }
    o.push_str("</ul></nav></section>");
}

/// Closed polls' public results (with an item filter: that item's polls only).
fn archive_polls(
    o: &mut String,
    a: &ArchiveResponse,
    s: &Strings,
    local: &Local,
    filter: Option<ItemFilter>,
) {
    let polls: Vec<_> = a
        .polls
        .iter()
        .filter(|p| match filter {
            Some(ItemFilter::Item(id)) => p.agenda_item == Some(id),
            Some(ItemFilter::None) => p.agenda_item.is_none(),
            None => true,
        })
        .collect();
    if polls.is_empty() {
        return;
    }
    let _ = write!(
        o,
        "<section aria-labelledby=\"h-polls\"><h2 id=\"h-polls\">{}</h2>",
        s.e("archive.polls")
    );
    for p in polls {
        let _ = write!(
            o,
            "<article class=\"poll\" id=\"poll{id}\" aria-labelledby=\"h-poll{id}\"><h3 id=\"h-poll{id}\">{}</h3><p class=\"meta\">{}{}</p>",
            esc(&p.question),
            esc(&s
                .t("report.poll.respondents_n")
                .replace("{n}", &p.results.respondents.to_string())),
            p.closed_at
                .map(|c| format!(" · {}", esc(&local.date_time(c))))
                .unwrap_or_default(),
            id = p.id
        );
        poll_results_html(o, &p.kind, &p.results, s, &s.t("report.poll.results"));
        o.push_str("</article>");
    }
    o.push_str("</section>");
}

/// The public archive page of a closed meeting: page `page` (from 1; out of range = the last)
/// of its threads (with `filter`, of one agenda item's); the agenda and the closed polls are
/// on the first page, the moderation log on the last page of the unfiltered archive.
pub fn archive_html(
    a: &ArchiveResponse,
    lang: &str,
    s: &Strings,
    local: &Local,
    page: usize,
    filter: Option<ItemFilter>,
) -> String {
    let lang = if lang == "en" { "en" } else { "da" };
    // An unknown item filters nothing (a stale link still opens the archive).
    let filter = filter.filter(|f| match f {
        ItemFilter::Item(id) => a.agenda.iter().any(|i| i.id == *id),
        ItemFilter::None => true,
    });
    let all_threads = threads(a);
    let threads: Vec<_> = all_threads
        .iter()
        .filter(|(top, _)| filter.is_none_or(|f| f.matches(top)))
        .cloned()
        .collect();
    let pages = threads.len().div_ceil(ARCHIVE_PAGE_THREADS).max(1);
    let page = page.clamp(1, pages);
    let all_pages = all_threads.len().div_ceil(ARCHIVE_PAGE_THREADS).max(1);
    let lang_q = match filter {
        Some(f) => format!("{lang}&amp;item={}", f.param()),
        None => lang.to_string(),
    };
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
        "<p class=\"meta\">{} · <a href=\"?page={all_pages}&amp;lang={lang}#h-log\">{}</a></p>",
        esc(&s
            .t("archive.summary")
            .replace("{posts}", &a.posts.len().to_string())
            .replace("{threads}", &all_threads.len().to_string())),
        s.e("archive.moderation_log")
    );
    if page == 1 {
        archive_agenda(&mut o, a, lang, s, local, filter);
        archive_polls(&mut o, a, s, local, filter);
    }
    let _ = write!(
        o,
        "<section aria-labelledby=\"h-posts\"><h2 id=\"h-posts\">{}</h2>",
        s.e("archive.posts")
    );
    if let Some(f) = filter {
        let name = match f {
            ItemFilter::Item(id) => a
                .agenda
                .iter()
                .find(|i| i.id == id)
                .map(|i| i.title.clone())
                .unwrap_or_default(),
            ItemFilter::None => s.t("archive.agenda_no_item"),
        };
        let _ = write!(
            o,
            "<p class=\"meta\">{} · <a href=\"?lang={lang}\">{}</a></p>",
            esc(&s.t("archive.filtered").replace("{item}", &name)),
            s.e("archive.agenda_all")
        );
    }
    page_nav(&mut o, page, pages, &lang_q, s, "archive.pages");
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
    page_nav(&mut o, page, pages, &lang_q, s, "archive.pages_bottom");
    o.push_str("</section>");
    // The moderation log links to posts by page: it goes with the unfiltered archive only.
    if page < pages || filter.is_some() {
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
