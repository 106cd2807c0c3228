//! `eval --plot`: the score distributions of clean links and of links with injected errors, as
//! a self-contained SVG.

use super::eval::EvalResult;

/// An SVG of the score distributions per model: clean links against links with injected errors,
/// as histograms over 0-100 in 5-point bins, one panel per model. Self-contained (no fonts or
/// scripts), so it renders on GitHub and in any browser.
pub fn svg(results: &[EvalResult]) -> String {
    const W: f64 = 640.0;
    const PANEL: f64 = 220.0;
    const BINS: usize = 20;
    let (left, right, top) = (50.0, 20.0, 30.0);
    let height = top + PANEL * results.len() as f64 + 20.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{height}\" viewBox=\"0 0 {W} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{left}\" y=\"18\" font-size=\"13\">Link scores: clean links (blue) vs injected errors (red), share of each class per 5-point bin</text>\n"
    );
    let plot_w = W - left - right;
    for (k, r) in results.iter().enumerate() {
        let y0 = top + PANEL * k as f64;
        let base = y0 + PANEL - 40.0;
        let h = PANEL - 70.0;
        let hist = |xs: &[f64]| {
            let mut b = [0f64; BINS];
            for &x in xs {
                let i = ((x / 100.0 * BINS as f64) as usize).min(BINS - 1);
                b[i] += 1.0;
            }
            let n = xs.len().max(1) as f64;
            b.map(|c| c / n)
        };
        let (clean, injected) = (hist(&r.link_scores.clean), hist(&r.link_scores.injected));
        let peak = clean.iter().chain(&injected).cloned().fold(0.01, f64::max);
        svg += &format!(
            "<text x=\"{left}\" y=\"{}\">{} — {} clean links, {} with injected errors</text>\n",
            y0 + 16.0,
            crate::util::escape::xml(&r.model),
            r.link_scores.clean.len(),
            r.link_scores.injected.len()
        );
        let bw = plot_w / BINS as f64;
        for (i, (c, e)) in clean.iter().zip(&injected).enumerate() {
            let x = left + bw * i as f64;
            for (v, colour, dx) in [(c, "#3b6fb6", 0.0), (e, "#c8453b", bw / 2.0)] {
                let bh = v / peak * h;
                svg += &format!(
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\" fill-opacity=\"0.8\"/>\n",
                    x + dx + 1.0,
                    base - bh,
                    bw / 2.0 - 1.0,
                    bh
                );
            }
        }
        svg += &format!(
            "<line x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"black\"/>\n",
            left + plot_w
        );
        for t in (0..=100).step_by(10) {
            let x = left + plot_w * t as f64 / 100.0;
            svg += &format!(
                "<line x1=\"{x:.1}\" y1=\"{base}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"black\"/><text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{t}</text>\n",
                base + 4.0,
                base + 16.0
            );
        }
        svg += &format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">link score</text>\n",
            left + plot_w / 2.0,
            base + 30.0
        );
    }
    svg + "</svg>\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plot_is_well_formed_svg_with_a_panel_per_model_and_bars_where_scores_are() {
        let mut a = EvalResult {
            model: "m<1>".into(),
            ..Default::default()
        };
        a.link_scores.clean = vec![95.0, 97.0, 99.9, 100.0];
        a.link_scores.injected = vec![3.0, 12.0];
        let b = EvalResult {
            model: "m2".into(),
            ..Default::default()
        };
        let svg = svg(&[a, b]);
        // Well-formed XML, and the model name escaped.
        let mut reader = quick_xml::Reader::from_str(&svg);
        let mut rects = 0;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Empty(e)) if e.name().as_ref() == b"rect" => {
                    rects += 1
                }
                Ok(_) => {}
                Err(e) => panic!("not well-formed: {e}\n{svg}"),
            }
        }
        assert!(svg.contains("m&lt;1&gt; — 4 clean links, 2 with injected errors"));
        // Background plus two bars per bin per panel.
        assert_eq!(rects, 1 + 2 * 20 * 2);
        // The tallest clean bar is the 95-100 bin (4 of 4 clean scores), full height.
        assert!(svg.contains("height=\"150.0\" fill=\"#3b6fb6\""), "{svg}");
    }
}
