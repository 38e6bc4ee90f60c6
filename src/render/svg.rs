//! Whether an SVG image is safe to publish. Opened by its own URL, an SVG
//! is a document of the site's origin: a script in it runs with the site's
//! rights. An `<img>` never runs one, but a reader can always open the
//! image, so lore publishes an SVG only when nothing in it can run script.
//! The image is read with a real XML tokenizer; anything that cannot be
//! read is refused too (what cannot be read cannot be proven safe).

use quick_xml::events::{BytesStart, Event};

/// Elements that run script, embed documents, or let one be written.
const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "handler",
    "listener",
    "frame",
    "frameset",
    "applet",
    "base",
    "meta",
];

/// Animation elements that may rewrite another attribute (a link into
/// `javascript:`, an event handler).
const ANIMATIONS: &[&str] = &["animate", "set", "animatetransform", "animatemotion"];

/// `Ok` when the image may be published; otherwise why not, as a phrase
/// ("holds a <script> element").
pub fn check(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "is not UTF-8 text".to_string())?;
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(tag) | Event::Empty(tag)) => check_element(&tag)?,
            Ok(Event::DocType(doctype)) => {
                // An internal subset can declare entities that expand into
                // markup the tokenizer never sees.
                if doctype.contains('[') {
                    return Err("declares its own entities".into());
                }
            }
            Ok(Event::PI(pi)) => {
                // xml-stylesheet can apply XSLT, which can write script.
                return Err(format!(
                    "has the processing instruction <?{}?>",
                    pi.target()
                ));
            }
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(format!("cannot be read as XML ({e})")),
        }
    }
}

fn check_element(tag: &BytesStart<'_>) -> Result<(), String> {
    let name = tag.local_name().as_ref().to_ascii_lowercase();
    if FORBIDDEN_ELEMENTS.contains(&name.as_str()) {
        return Err(format!("holds a <{name}> element"));
    }
    let animation = ANIMATIONS.contains(&name.as_str());
    for attribute in tag.attributes().with_checks(true) {
        let attribute = attribute.map_err(|e| format!("has a malformed attribute ({e})"))?;
        let key = attribute.key.local_name().as_ref().to_ascii_lowercase();
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("has an attribute it cannot read ({e})"))?;
        if key.starts_with("on") {
            return Err(format!("has an event handler ({key}=)"));
        }
        let squeezed: String = value
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .collect::<String>()
            .to_ascii_lowercase();
        if ["javascript:", "vbscript:"]
            .iter()
            .any(|scheme| squeezed.contains(scheme))
        {
            return Err(format!("has a script address in {key}="));
        }
        if matches!(key.as_str(), "href" | "src") && squeezed.starts_with("data:") {
            let image = ["data:image/png", "data:image/jpeg", "data:image/gif"]
                .iter()
                .any(|p| squeezed.starts_with(p));
            if !image {
                return Err(format!("links a data: document in {key}="));
            }
        }
        if animation && key == "attributename" {
            let target = squeezed.rsplit(':').next().unwrap_or_default();
            if target == "href" || target.starts_with("on") {
                return Err(format!("animates the attribute {squeezed}"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: &str = r##"<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">
  <title>A square</title><style>rect { fill: #c33; }</style>
  <defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>
  <a href="https://example.test/"><rect width="10" height="10" fill="url(#g)"/></a>
  <use xlink:href="#g"/><image href="data:image/png;base64,iVBORw0KGgo="/>
</svg>"##;

    #[test]
    fn a_drawing_is_published() {
        assert_eq!(check(PLAIN.as_bytes()), Ok(()));
    }

    #[test]
    fn anything_that_can_run_script_is_refused() {
        let attacks = [
            r#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><SCRIPT>alert(1)</SCRIPT></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#,
            r#"<svg><rect ONCLICK="alert(1)"/></svg>"#,
            r#"<svg><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></svg>"#,
            r#"<svg><foreignObject><iframe src="x"/></foreignObject></svg>"#,
            r#"<svg><a href="javascript:alert(1)"><text>x</text></a></svg>"#,
            r#"<svg><a xlink:href="  java&#x09;script&#58;alert(1)">x</a></svg>"#,
            r#"<svg><a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a></svg>"#,
            r#"<svg><a><set attributeName="href" to="javascript:alert(1)"/></a></svg>"#,
            r#"<svg><animate attributeName="xlink:href" values="x"/></svg>"#,
            r#"<?xml-stylesheet type="text/xsl" href="x.xsl"?><svg/>"#,
            r#"<!DOCTYPE svg [<!ENTITY x "&#60;script&#62;alert(1)&#60;/script&#62;">]><svg>&x;</svg>"#,
            r#"<svg><rect width="1" <script>"#,
        ];
        for attack in attacks {
            assert!(check(attack.as_bytes()).is_err(), "published: {attack}");
        }
        assert!(check(&[0xff, 0xfe, b'<']).is_err());
    }
}
