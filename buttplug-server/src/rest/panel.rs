//! The web control panel's files, built into the binary.

/// What the panel's pages may load: their own scripts, styles and API, nothing else.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The content type and bytes of the panel file at `path`, if it is one.
pub(crate) fn asset(path: &str) -> Option<(&'static str, &'static [u8])> {
    Some(match path {
        "/" | "/index.html" => (
            "text/html; charset=utf-8",
            include_str!("panel/index.html").as_bytes(),
        ),
        "/panel.css" => (
            "text/css; charset=utf-8",
            include_str!("panel/panel.css").as_bytes(),
        ),
        "/panel.js" => (
            "text/javascript; charset=utf-8",
            include_str!("panel/panel.js").as_bytes(),
        ),
        _ => return None,
    })
}
