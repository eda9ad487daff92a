//! The one chart style: canvas size, margins, the font and colours shared by every chart.

use plotters::style::RGBColor;

/// Canvas width, pixels.
pub const WIDTH: u32 = 1000;
/// Canvas height, pixels.
pub const HEIGHT: u32 = 600;
/// Margin around the plot, pixels.
pub const MARGIN: u32 = 16;
/// Room for the x axis labels and description, pixels.
pub const X_LABEL_AREA: u32 = 48;
/// Room for a y axis' labels and description, pixels. Wide enough for a tick label of
/// seven characters ("3000.0", "12.50") plus the rotated axis title and a gap between them,
/// so the title never touches the canvas edge whatever font a viewer substitutes.
pub const Y_LABEL_AREA: u32 = 84;
/// Height of one row of the legend strip under the plot, pixels.
pub const LEGEND_ROW: u32 = 18;
/// Width of a legend swatch, pixels.
pub const LEGEND_SWATCH: u32 = 16;
/// Horizontal room between two legend entries, pixels.
pub const LEGEND_GAP: u32 = 22;

/// Font family of every text element: the bundled font's name, under which the charts
/// register it with plotters before drawing. SVG text names this family, so a viewer with
/// DejaVu Sans installed shows the same glyphs the layout was measured with, and one without
/// it substitutes a similar sans-serif face.
pub const FONT_FAMILY: &str = "DejaVu Sans";
/// The bundled font: a Latin-1 subset of DejaVu Sans 2.37 (origin, subsetting command and
/// licence in `assets/fonts/`). It is compiled in rather than looked up on the system so that
/// text measurement, and therefore layout and PNG pixels, is the same on every machine,
/// including one with no fonts installed.
pub(crate) const FONT_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-ecsim.ttf");
/// Title size, pixels.
pub const TITLE_SIZE: u32 = 22;
/// Axis description size, pixels.
pub const LABEL_SIZE: u32 = 15;
/// Tick label, legend and note size, pixels.
pub const TICK_SIZE: u32 = 12;

/// Stroke width of a series line, pixels.
pub const LINE_WIDTH: u32 = 2;
/// Stroke width of an event marker, pixels.
pub const MARKER_WIDTH: u32 = 1;

/// Series colours, used in order and cycled. Markers, axes and text never use them, so
/// a series is exactly a `<polyline>` whose stroke is one of these.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0x1F, 0x77, 0xB4),
    RGBColor(0xFF, 0x7F, 0x0E),
    RGBColor(0x2C, 0xA0, 0x2C),
    RGBColor(0x94, 0x67, 0xBD),
    RGBColor(0x8C, 0x56, 0x4B),
    RGBColor(0xE3, 0x77, 0xC2),
    RGBColor(0x17, 0xBE, 0xCF),
    RGBColor(0xBC, 0xBD, 0x22),
    RGBColor(0x39, 0x3B, 0x79),
    RGBColor(0x63, 0x79, 0x39),
];

/// The dashed "desired" line of the capacity chart's panels (a service's desired count, an
/// ASG's desired capacity): not a palette colour, so it never matches a solid line's.
pub const DESIRED: RGBColor = RGBColor(0x55, 0x55, 0x55);
/// Dash and gap lengths of the desired line, pixels.
pub const DASH: (u32, u32) = (7, 4);
/// Height of one row of the capacity chart's panels, pixels. Enough for a caption, four or
/// five tick labels and the lines between them.
pub const PANEL_HEIGHT: u32 = 190;
/// Panels the capacity chart draws at most (12 rows of two): the PNG stays a few MB of
/// pixels in memory whatever the scenario; the ones left out are counted in the note, and
/// `services.csv` and `capacity_providers.csv` have every series.
pub const MAX_PANELS: usize = 24;

/// Marker of a scaling activity.
pub const SCALING_MARKER: RGBColor = RGBColor(0x99, 0x99, 0x99);
/// Marker of a fault.
pub const FAULT_MARKER: RGBColor = RGBColor(0xD6, 0x27, 0x28);
/// Band behind every panel of the capacity chart while a service deployment is in
/// progress: a pale fill, under the lines, so a doubled fleet reads against it.
pub const DEPLOYMENT_BAND: RGBColor = RGBColor(0xFF, 0xF0, 0xC2);
/// Bars of the wait chart.
pub const BAR: RGBColor = RGBColor(0x4C, 0x72, 0xB0);
/// The cost rate line of the cost chart: dark, so it reads over any stacked area colour.
pub const RATE_LINE: RGBColor = RGBColor(0x00, 0x00, 0x00);
/// The cost chart's "with commitments" lines (the cumulative effective cost, solid, and the
/// commitment fees in it, dashed): not a palette colour, so they never read as a provider.
pub const COMMITMENT_LINE: RGBColor = RGBColor(0xB2, 0x18, 0x2B);
/// The cumulative-share (CDF) line of the wait chart.
pub const CDF_LINE: RGBColor = RGBColor(0xDD, 0x84, 0x52);
/// How far towards white the idle part of an EC2 provider's cost layer is lightened.
pub const IDLE_LIGHTEN: f64 = 0.55;
/// Axes and text.
pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(0xE6, 0xE6, 0xE6);

/// The colour of the `i`-th series.
pub fn series_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// `c` lightened by [`IDLE_LIGHTEN`]: the fill of a provider's idle part and its legend
/// swatch.
pub fn idle_tint(c: RGBColor) -> RGBColor {
    let mix = |v: u8| {
        let v = f64::from(v);
        (v + (255.0 - v) * IDLE_LIGHTEN).round() as u8
    };
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// A colour as the SVG backend writes it (`#RRGGBB`, upper case).
pub fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}
