//! Ready-to-paste announcement texts (Facebook post, press note for the local weekly paper,
//! radio announcement) in Danish and English, with the agenda when the meeting has one, and
//! the meeting's local time in words. Local
//! time, because a poster saying "18:00 UTC" in a Danish library is wrong half the year; the
//! time zone is a setting, passed in. Plain text only: nothing here is HTML-escaped, the
//! client puts it in as text.

use borgermode_domain::Language;
use borgermode_protocol::http::AnnouncementKind;
use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;

/// What the texts are made from.
pub struct Facts<'a> {
    pub organization: &'a str,
    pub title: &'a str,
    /// Plain text (from the Markdown description).
    pub description: &'a str,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub link: &'a str,
    pub short_link: &'a str,
    /// The agenda in order (empty without one).
    pub agenda: &'a [AgendaLine],
}

/// One agenda item as the texts list it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgendaLine {
    pub title: String,
    pub planned_start: Option<DateTime<Utc>>,
}

/// The agenda as a numbered list under a heading (`Dagsorden:` / `Agenda:`), each item with its
/// planned local time; empty without an agenda. Ends with a blank line.
pub fn agenda_block(lang: Language, tz: Tz, agenda: &[AgendaLine]) -> String {
    if agenda.is_empty() {
        return String::new();
    }
    let mut out = String::from(match lang {
        Language::Da => "Dagsorden:\n",
        _ => "Agenda:\n",
    });
    for (i, a) in agenda.iter().enumerate() {
        let at = match (a.planned_start, lang) {
            (Some(t), Language::Da) => format!(" (kl. {})", local_time(lang, tz, t)),
            (Some(t), _) => format!(" ({})", local_time(lang, tz, t)),
            (None, _) => String::new(),
        };
        out.push_str(&format!("{}. {}{at}\n", i + 1, a.title));
    }
    out.push('\n');
    out
}

/// The agenda in one spoken sentence: `På dagsordenen: A, B og C. ` (empty without one).
fn agenda_sentence(lang: Language, agenda: &[AgendaLine]) -> String {
    let titles: Vec<&str> = agenda.iter().map(|a| a.title.as_str()).collect();
    let (head, and) = match lang {
        Language::Da => ("På dagsordenen", "og"),
        _ => ("On the agenda", "and"),
    };
    match titles.as_slice() {
        [] => String::new(),
        [one] => format!("{head}: {one}. "),
        [rest @ .., last] => format!("{head}: {} {and} {last}. ", rest.join(", ")),
    }
}

const DA_DAYS: [&str; 7] = [
    "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
];
const EN_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const DA_MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn day_index(d: Weekday) -> usize {
    d.num_days_from_monday() as usize
}

/// The local clock time: `19.00` in Danish, `19:00` in English.
pub fn local_time(lang: Language, tz: Tz, t: DateTime<Utc>) -> String {
    let l = tz.from_utc_datetime(&t.naive_utc());
    match lang {
        Language::Da => format!("{:02}.{:02}", l.hour(), l.minute()),
        _ => format!("{:02}:{:02}", l.hour(), l.minute()),
    }
}

/// The local date with weekday: `torsdag den 15. januar 2026`, `Thursday 15 January 2026`.
pub fn local_date(lang: Language, tz: Tz, t: DateTime<Utc>) -> String {
    let l = tz.from_utc_datetime(&t.naive_utc());
    let (d, m) = (day_index(l.weekday()), l.month0() as usize);
    match lang {
        Language::Da => format!(
            "{} den {}. {} {}",
            DA_DAYS[d],
            l.day(),
            DA_MONTHS[m],
            l.year()
        ),
        _ => format!("{} {} {} {}", EN_DAYS[d], l.day(), EN_MONTHS[m], l.year()),
    }
}

/// Date and time in one phrase, with the end time when known:
/// `torsdag den 15. januar 2026 kl. 19.00-20.30`, `Thursday 15 January 2026, 19:00-20:30`.
pub fn local_when(
    lang: Language,
    tz: Tz,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
) -> String {
    let date = local_date(lang, tz, start);
    let from = local_time(lang, tz, start);
    let span = match end.filter(|e| *e > start) {
        Some(e) => format!("{from}–{}", local_time(lang, tz, e)),
        None => from,
    };
    match lang {
        Language::Da => format!("{date} kl. {span}"),
        _ => format!("{date}, {span}"),
    }
}

/// The short link as it is read aloud or printed: no scheme.
pub fn spoken_link(link: &str) -> &str {
    link.trim_start_matches("https://")
        .trim_start_matches("http://")
}

/// A description cut to about `max` characters at a word boundary.
fn excerpt(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut[..],
    };
    format!("{}…", cut.trim_end())
}

/// One text of one kind in one language.
pub fn text(kind: AnnouncementKind, lang: Language, tz: Tz, f: &Facts<'_>) -> String {
    let when = local_when(lang, tz, f.starts_at, f.ends_at);
    let date = local_date(lang, tz, f.starts_at);
    let time = local_time(lang, tz, f.starts_at);
    let (org, title, link, short) = (f.organization, f.title, f.link, f.short_link);
    let spoken = spoken_link(short);
    let about = excerpt(f.description, 600);
    let about = if about.is_empty() {
        String::new()
    } else {
        format!("{about}\n\n")
    };
    let agenda = agenda_block(lang, tz, f.agenda);
    let on_agenda = agenda_sentence(lang, f.agenda);
    match (kind, lang) {
        (AnnouncementKind::Facebook, Language::Da) => format!(
            "{org} inviterer til digitalt borgermøde: {title}\n\n\
             Hvornår: {when}\n\
             Hvor: online, på din telefon eller computer\n\n\
             {about}\
             {agenda}\
             Du kan følge mødet direkte, skrive kommentarer og stille spørgsmål til panelet – uden login. \
             Du kan allerede nu sende dine spørgsmål, så panelet kan forberede svarene.\n\n\
             Deltag her: {link}\n\
             Kort link: {short}\n\n\
             Del gerne opslaget, så flere kan være med."
        ),
        (AnnouncementKind::Facebook, _) => format!(
            "{org} invites you to a digital town meeting: {title}\n\n\
             When: {when}\n\
             Where: online, on your phone or computer\n\n\
             {about}\
             {agenda}\
             Follow the meeting live, comment and put your questions to the panel – no account needed. \
             You can send your questions in advance already now, so the panel can prepare the answers.\n\n\
             Join here: {link}\n\
             Short link: {short}\n\n\
             Please share this post so more people can take part."
        ),
        (AnnouncementKind::Press, Language::Da) => format!(
            "Pressemeddelelse fra {org}\n\n\
             Digitalt borgermøde: {title}\n\n\
             {org} holder digitalt borgermøde {when}. Alle kan følge mødet på nettet, skrive \
             kommentarer og stille spørgsmål til panelet fra telefon eller computer, uden at oprette en konto.\n\n\
             {about}\
             {agenda}\
             Spørgsmål kan sendes ind allerede nu, før mødet, så panelet kan forberede svarene. \
             Spørgsmål, der ikke når at blive besvaret på mødet, besvares skriftligt bagefter.\n\n\
             Mødet findes på {link} (kort link: {short}).\n\n\
             Yderligere oplysninger: {org}."
        ),
        (AnnouncementKind::Press, _) => format!(
            "Press release from {org}\n\n\
             Digital town meeting: {title}\n\n\
             {org} holds a digital town meeting on {when}. Everyone can follow the meeting online, \
             comment and put questions to the panel from a phone or computer, without creating an account.\n\n\
             {about}\
             {agenda}\
             Questions can be sent in advance already now, before the meeting, so the panel can prepare the answers. \
             Questions that are not answered during the meeting are answered in writing afterwards.\n\n\
             The meeting is at {link} (short link: {short}).\n\n\
             Further information: {org}."
        ),
        (AnnouncementKind::Radio, Language::Da) => format!(
            "{org} holder digitalt borgermøde {date} klokken {time}: {title}. \
             {on_agenda}\
             Du kan følge med og stille spørgsmål fra din telefon eller computer – og du kan sende dine spørgsmål allerede nu. \
             Gå ind på {spoken}. Det er {spoken}."
        ),
        (AnnouncementKind::Radio, _) => format!(
            "{org} holds a digital town meeting on {date} at {time}: {title}. \
             {on_agenda}\
             Follow along and ask questions from your phone or computer – and you can send your questions in advance already now. \
             Go to {spoken}. That's {spoken}."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn local_time_follows_daylight_saving() {
        let tz = chrono_tz::Europe::Copenhagen;
        // 18:00 UTC in January is 19:00 CET; 17:00 UTC in July is 19:00 CEST.
        assert_eq!(
            local_when(
                Language::Da,
                tz,
                at(2026, 1, 15, 18, 0),
                Some(at(2026, 1, 15, 19, 30))
            ),
            "torsdag den 15. januar 2026 kl. 19.00–20.30"
        );
        assert_eq!(
            local_when(Language::En, tz, at(2026, 7, 2, 17, 0), None),
            "Thursday 2 July 2026, 19:00"
        );
        // The night the clocks go back: 00:30 UTC on 25 October 2026 is 02:30 CEST.
        assert_eq!(
            local_time(Language::En, tz, at(2026, 10, 25, 0, 30)),
            "02:30"
        );
        assert_eq!(
            local_time(Language::En, tz, at(2026, 10, 25, 1, 30)),
            "02:30"
        );
    }

    #[test]
    fn the_agenda_is_a_numbered_list_and_a_spoken_sentence() {
        let tz = chrono_tz::Europe::Copenhagen;
        let agenda = [
            AgendaLine {
                title: "Havneplanen".into(),
                planned_start: Some(at(2026, 1, 15, 18, 10)),
            },
            AgendaLine {
                title: "Skolerne".into(),
                planned_start: None,
            },
            AgendaLine {
                title: "Eventuelt".into(),
                planned_start: None,
            },
        ];
        assert_eq!(
            agenda_block(Language::Da, tz, &agenda),
            "Dagsorden:\n1. Havneplanen (kl. 19.10)\n2. Skolerne\n3. Eventuelt\n\n"
        );
        assert_eq!(
            agenda_block(Language::En, tz, &agenda[..1]),
            "Agenda:\n1. Havneplanen (19:10)\n\n"
        );
        assert_eq!(agenda_block(Language::Da, tz, &[]), "");
        assert_eq!(
            agenda_sentence(Language::Da, &agenda),
            "På dagsordenen: Havneplanen, Skolerne og Eventuelt. "
        );
        assert_eq!(
            agenda_sentence(Language::En, &agenda[..1]),
            "On the agenda: Havneplanen. "
        );
    }

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("kort", 10), "kort");
        assert_eq!(excerpt("et to tre fire fem", 10), "et to tre…");
    }
}
