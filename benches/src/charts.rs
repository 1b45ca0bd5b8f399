//! SVG bar charts of the comparison's medians (plotters, SVG backend).

use crate::report::{fmt_value, Metric, RunSet};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// The metrics that get a chart.
pub const CHARTED: &[&str] = &[
    "max_delivered",
    "max_cpu",
    "rss_last",
    "echo_rate",
    "echo_p99",
    "echo_cpu",
    "connect_rate",
    "polling_rate",
];

fn color(server: &str) -> RGBColor {
    match server.split('-').next().unwrap_or(server) {
        "volley" => RGBColor(0x2b, 0x6c, 0xb0),
        "socketioxide" => RGBColor(0xdd, 0x6b, 0x20),
        "node" => RGBColor(0x38, 0xa1, 0x69),
        _ => RGBColor(0x71, 0x80, 0x96),
    }
}

/// Draws one bar per server (its median of `metric`) into `path`.
pub fn bar_chart(set: &RunSet, metric: &Metric, path: &Path) -> Result<(), String> {
    let bars: Vec<(String, f64)> = set
        .servers
        .iter()
        .filter_map(|s| Some((s.clone(), set.median(s, metric)?)))
        .collect();
    if bars.is_empty() {
        return Err(format!("no data for {}", metric.key));
    }
    let top = bars.iter().map(|b| b.1).fold(0.0, f64::max).max(1e-9) * 1.15;
    let root = SVGBackend::new(path, (760, 380)).into_drawing_area();
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let better = if metric.higher_is_better {
        "higher is better"
    } else {
        "lower is better"
    };
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{} ({}, {better})", metric.title, metric.unit),
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(70)
        // A discrete range includes its end, so n bars take 0..n-1.
        .build_cartesian_2d((0..bars.len() - 1).into_segmented(), 0.0..top)
        .map_err(e)?;
    let names: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(bars.len())
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&|v| fmt_value(*v))
        .draw()
        .map_err(e)?;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, (name, v))| {
            let style = color(name).filled();
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0.0),
                    (SegmentValue::Exact(i + 1), *v),
                ],
                style,
            );
            bar.set_margin(0, 0, 12, 12);
            bar
        }))
        .map_err(e)?;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
            let style = ("sans-serif", 13)
                .into_font()
                .into_text_style(&root)
                .pos(Pos::new(HPos::Center, VPos::Bottom));
            Text::new(
                fmt_value(*v),
                (SegmentValue::CenterOf(i), *v + top * 0.01),
                style,
            )
        }))
        .map_err(e)?;
    root.present().map_err(e)?;
    Ok(())
}
