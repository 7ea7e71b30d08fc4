//! Markdown to safe HTML for meeting descriptions and written answers. Raw HTML in the input is
//! escaped by the sanitizer, links keep only http(s)/mailto and open with rel="noopener
//! noreferrer nofollow", so a panelist can link to the municipality's self-service pages and
//! nobody can inject script.

use pulldown_cmark::{html, Options, Parser};

pub fn to_safe_html(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES,
    );
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, parser);
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&unsafe_html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_and_js_links_are_removed() {
        let html = to_safe_html(
            "Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }

    #[test]
    fn https_links_survive() {
        let html = to_safe_html("See [borger.dk](https://www.borger.dk/) **now**");
        assert!(html.contains("href=\"https://www.borger.dk/\""), "{html}");
        assert!(html.contains("<strong>now</strong>"), "{html}");
        assert!(html.contains("noopener"), "{html}");
    }
}
