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
use borgermode_protocol::http::ArchiveResponse;

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
pub fn timeline_svg(r: &Report, s: &Strings) -> String {
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
            esc(&p.minute.format("%H:%M").to_string()),
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
            esc(&first.minute.format("%H:%M").to_string()),
            w - pad,
            h - 10.0,
            esc(&last.minute.format("%H:%M").to_string())
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
pub fn report_html(r: &Report, meeting: uuid::Uuid, lang: &str, s: &Strings) -> String {
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
        (Some(a), Some(b)) => format!("{} – {}", a.format("%Y-%m-%d %H:%M"), b.format("%H:%M UTC")),
        (Some(a), None) => format!("{} –", a.format("%Y-%m-%d %H:%M UTC")),
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
        (
            "report.average_viewers",
            format!("{:.1}", r.average_viewers),
        ),
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
        timeline_svg(r, s)
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
                (Some(l), Some(h)) if (l - h).abs() < f64::EPSILON => format!("{l:.1} %"),
                (Some(l), Some(h)) => format!("{l:.1}–{h:.1} %"),
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
    let mut row = |a: &str, b: &str, c: String| {
        let _ = w.write_record([a, b, &c]);
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

/// The public archive page of a closed meeting.
pub fn archive_html(a: &ArchiveResponse, lang: &str, s: &Strings) -> String {
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
            a.closed_at.map(|c| c.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default()
        ))
    );
    let _ = write!(
        o,
        "<section aria-labelledby=\"h-posts\"><h2 id=\"h-posts\">{}</h2>",
        s.e("archive.posts")
    );
    for p in &a.posts {
        let kind = match p.kind {
            borgermode_domain::PostKind::Question => "question",
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
                    "<p class=\"meta\">{} · {} · {}</p><p>{}</p>",
                    s.e(&format!("kind.{kind}")),
                    esc(p.author.as_deref().unwrap_or("")),
                    esc(&p.created_at.format("%H:%M").to_string()),
                    esc(body)
                );
            }
            (None, None) => {}
        }
        if let Some(ans) = &p.answer {
            let _ = write!(
                o,
                "<div class=\"answer\"><p class=\"meta\">{} · {} · {}</p>{}</div>",
                s.e(&format!("archive.answer_{}", ans.mode)),
                esc(ans.by.as_deref().unwrap_or("")),
                esc(&ans.at.format("%Y-%m-%d %H:%M").to_string()),
                ans.text
                    .as_deref()
                    .map(|t| if ans.mode == "written" {
                        crate::markdown::to_safe_html(t)
                    } else {
                        format!("<p>{}</p>", esc(t))
                    })
                    .unwrap_or_default()
            );
        }
        o.push_str("</article>");
    }
    o.push_str("</section>");
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
                esc(&m.at.format("%H:%M:%S").to_string()),
                s.e(&format!("report.action.{}", m.action)),
                m.reason
                    .as_deref()
                    .map(|r| s.e(&format!("report.reason.{r}")))
                    .unwrap_or_default(),
                m.post
                    .map(|p| format!("<a href=\"#p{p}\">#{p}</a>"))
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
