//! Self-contained HTML: inline style and inline SVG charts, no script and no outside asset, so a
//! report can be published, archived or printed as one file and reads the same offline.

use std::fmt::Write;

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number as a person reads it: integers with thousands separators, others to `digits`.
pub fn number(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    if x == x.trunc() && x.abs() < 1e15 {
        let digits = format!("{}", x.abs() as u64);
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        return if x < 0.0 { format!("-{grouped}") } else { grouped };
    }
    if x != 0.0 && x.abs() < 1e-3 {
        return format!("{x:.1e}");
    }
    format!("{x:.digits$}")
}

const STYLE: &str = "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2430;max-width:1000px;margin:24px auto;padding:0 16px}\
h1{font-size:24px;margin-bottom:4px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #dde2e8;padding-bottom:4px}\
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #e6e9ee}\
th{background:#f0f2f5}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#5b6677}\
.box{background:#eef4fb;border:1px solid #bcd3ee;border-radius:6px;padding:10px 14px;margin:10px 0}\
.ok{background:#e8f5e9;border-color:#a5d6a7}.bad{background:#fdecea;border-color:#f3b7b0}code{font-size:12px;word-break:break-all}\
svg{display:block;max-width:100%;height:auto}";

/// A whole page.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n",
        escape(title)
    )
}

/// A table; cells are escaped, and a cell that parses as a number is right-aligned.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let numeric =
        |s: &str| !s.is_empty() && s.replace([',', '.', '-', 'e', '%', ' '], "").chars().all(|c| c.is_ascii_digit());
    let mut out = String::from("<table><tr>");
    for h in headers {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let class = if numeric(cell) { " class=\"n\"" } else { "" };
            let _ = write!(out, "<td{class}>{}</td>", escape(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

/// Horizontal bars, one per `(label, value)`, scaled to the largest value (or `max`).
pub fn bars(id: &str, items: &[(String, f64)], max: Option<f64>, unit: &str) -> String {
    let width = 760.0;
    let (left, right, row) = (220.0, 110.0, 24.0);
    let height = items.len() as f64 * row + 12.0;
    let top = max.unwrap_or_else(|| items.iter().map(|(_, v)| *v).fold(0.0, f64::max)).max(f64::MIN_POSITIVE);
    let mut svg = format!(
        "<svg id=\"{id}\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" role=\"img\" aria-label=\"{}\">",
        escape(id)
    );
    for (i, (label, value)) in items.iter().enumerate() {
        let y = 6.0 + i as f64 * row;
        let w = ((value / top).clamp(0.0, 1.0)) * (width - left - right);
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>\
             <rect x=\"{left}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"#e3e8ee\"/>\
             <rect x=\"{left}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"#2f6db0\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\">{} {}</text>",
            left - 8.0,
            y + 13.0,
            escape(label),
            width - left - right,
            row - 8.0,
            row - 8.0,
            width - right + 6.0,
            y + 13.0,
            number(*value, 3),
            escape(unit)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Vertical bars of spent against a total per key (the budget of each epoch).
pub fn spent_of_total(id: &str, items: &[(String, f64, f64)]) -> String {
    let n = items.len().max(1) as f64;
    let (width, height, left, bottom, top) = (760.0, 240.0, 50.0, 40.0, 12.0);
    let max = items.iter().map(|(_, s, t)| s.max(*t)).fold(0.0, f64::max).max(f64::MIN_POSITIVE);
    let slot = (width - left - 10.0) / n;
    let bar = (slot * 0.6).min(60.0);
    let y = |v: f64| top + (1.0 - v / max) * (height - top - bottom);
    let mut svg = format!("<svg id=\"{id}\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" role=\"img\" aria-label=\"budget per epoch\">");
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#e3e8ee\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#5b6677\">{}</text>",
            width - 10.0,
            y(v),
            y(v),
            left - 6.0,
            y(v) + 4.0,
            number(v, 2)
        );
    }
    for (i, (label, spent, total)) in items.iter().enumerate() {
        let x = left + i as f64 * slot + (slot - bar) / 2.0;
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{:.1}\" fill=\"#e3e8ee\" stroke=\"#9fb3c8\"/>\
             <rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{:.1}\" fill=\"#2f6db0\"/>\
             <text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            y(*total),
            y(0.0) - y(*total),
            y(*spent),
            y(0.0) - y(*spent),
            x + bar / 2.0,
            height - bottom + 16.0,
            escape(label),
            x + bar / 2.0,
            y(*spent) - 4.0,
            number(*spent, 2)
        );
    }
    let _ = write!(
        svg,
        "<rect x=\"{left}\" y=\"{}\" width=\"12\" height=\"10\" fill=\"#2f6db0\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">ε spent</text>\
         <rect x=\"{}\" y=\"{}\" width=\"12\" height=\"10\" fill=\"#e3e8ee\" stroke=\"#9fb3c8\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">ε per epoch</text></svg>",
        height - 14.0,
        left + 16.0,
        height - 5.0,
        left + 90.0,
        height - 14.0,
        left + 106.0,
        height - 5.0
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_formats() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(number(1234567.0, 2), "1,234,567");
        assert_eq!(number(-1000.0, 2), "-1,000");
        assert_eq!(number(0.25, 2), "0.25");
        assert_eq!(number(1e-7, 2), "1.0e-7");
        assert!(!page("t", "b").contains("<script"));
    }
}
