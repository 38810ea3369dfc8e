//! Assembles `replay.html`: the HTML shell, style and script (`assets/`, compiled in) and the data
//! as a JSON block. Nothing is fetched: the page works offline and when mailed.

use serde_json::Value;

const SHELL: &str = include_str!("assets/replay.html");
const STYLE: &str = include_str!("assets/replay.css");
const SCRIPT: &str = include_str!("assets/replay.js");

/// Bytes of the page besides its data.
pub const SHELL_BYTES: usize = SHELL.len() + STYLE.len() + SCRIPT.len();

/// Escapes text for HTML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The page for scenario `name` with `data`. `<` in the JSON is written `\u003c` (valid JSON
/// inside strings, where alone it can occur), so no name can close the script block.
pub fn html(name: &str, data: &Value) -> String {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "{}".into()).replace('<', "\\u003c");
    SHELL
        .replace("{{TITLE}}", &escape(name))
        .replace("{{STYLE}}", STYLE)
        .replace("{{SCRIPT}}", SCRIPT)
        .replacen("{{DATA}}", &json, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_cannot_close_its_script_block() {
        let page = html("a<b", &serde_json::json!({"name": "</script><script>alert(1)</script>"}));
        assert_eq!(page.matches("</script>").count(), SHELL.matches("</script>").count());
        assert!(page.contains("<title>Replay: a&lt;b</title>"));
    }
}
