//! The PNG canvas: plotters' bitmap backend with wide lines drawn segment by segment.
//!
//! plotters-backend 0.3.7 draws a polyline wider than one pixel as one polygon whose corners
//! are mitre joins. At a very sharp turn, such as a series that jumps up and straight back
//! down within a pixel column (common once thousands of minutes share a few hundred
//! pixels), the join on the inside of the turn is not capped and lands far from the line,
//! so the filled polygon grows spikes that reach into the axis labels and off the plot
//! (plotters issue #549). The SVG backend hands the polyline to the viewer and has no such
//! problem. This wrapper draws each segment of a wide path as its own rectangle instead: no
//! joins, so no spikes, and at the style's two-pixel width the corners look the same.
//!
//! It also draws text itself. plotters 0.3.7's `ab_glyph` text renderer puts each glyph's ink
//! at the pen position, ignoring the glyph's left side bearing, while it advances the pen by
//! the full advance width: a glyph with a wide bearing, such as "1", is drawn flush left in
//! its cell and leaves a gap after it ("11 7.2 s" for "117.2 s", "0.001 0 %"). Here each
//! glyph is outlined at its pen position, so its bearing is kept; the layout box (width,
//! anchor, rotation) and the vertical placement are plotters' own, so text sits where the
//! SVG's does.
//! Everything else goes straight to the bitmap backend.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, ScaleFont};
use plotters::prelude::{BitMapBackend, DrawingBackend};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

use super::style;

type Error = DrawingErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>;

/// [`BitMapBackend`] with wide paths drawn without joins (see the module doc).
pub(crate) struct JoinlessBitMap<'a>(pub BitMapBackend<'a>);

impl DrawingBackend for JoinlessBitMap<'_> {
    type ErrorType = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), Error> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), Error> {
        self.0.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), Error> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), Error> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), Error> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), Error> {
        if style.stroke_width() <= 1 {
            return self.0.draw_path(path, style);
        }
        let mut points = path.into_iter();
        let Some(mut from) = points.next() else {
            return Ok(());
        };
        for to in points {
            // The backend's `draw_line` makes a wide line one rectangle, with no join.
            self.0.draw_line(from, to, style)?;
            from = to;
        }
        Ok(())
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        text_style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), Error> {
        let font = match bundled_font() {
            Some(f) if text_style.family().as_str() == style::FONT_FAMILY => f,
            // Not the bundled family (never the case in our charts): plotters draws it.
            _ => return self.0.draw_text(text, text_style, pos),
        };
        let color = text_style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        // The same box, anchor and transform as plotters' default, so text lands where the
        // layout (measured with the same font) expects it.
        let ((min_x, min_y), (max_x, max_y)) = text_style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match text_style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match text_style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = text_style.transform();
        let (w, h) = self.get_size();
        let size = text_style.size() as f32;
        let scaled = font.as_scaled(size);
        let mut pen = 0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                pen += scaled.kern(p, id);
            }
            prev = Some(id);
            // Outlined at the origin, as plotters does, so the vertical placement is
            // plotters' (it puts the ink top at `size / 2 + bounds.min.y`); horizontally the
            // ink starts at the pen plus the left side bearing (`bounds.min.x`), which
            // plotters drops.
            let glyph = id.with_scale(size);
            if let Some(outline) = scaled.outline_glyph(glyph) {
                let bounds = outline.px_bounds();
                let x_shift = (pen + bounds.min.x).round() as i32;
                let y_shift = (size / 2.0 + bounds.min.y) as i32;
                let mut result = Ok(());
                outline.draw(|x, y, coverage| {
                    if result.is_err() || coverage <= 0.0 {
                        return;
                    }
                    let (x, y) = (x as i32 + x_shift, y as i32 + y_shift);
                    let (x, y) = trans.transform(x + dx - min_x, y + dy - min_y);
                    let (x, y) = (pos.0 + x, pos.1 + y);
                    if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                        result = self.0.draw_pixel((x, y), color.mix(f64::from(coverage)));
                    }
                });
                result?;
            }
            pen += scaled.h_advance(id);
        }
        Ok(())
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), Error> {
        self.0.blit_bitmap(pos, size, src)
    }
}

/// The bundled font, parsed once; `None` if it does not parse (a build problem, reported
/// by `register_font` before any drawing).
fn bundled_font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(style::FONT_TTF).ok())
        .as_ref()
}

#[cfg(test)]
mod tests {
    use plotters::prelude::*;

    use super::*;

    /// The first column with ink of `text` drawn left-anchored at x = 20 in the bundled font
    /// at 60 px, and the number of ink columns up to the last.
    fn ink_columns(text: &str) -> Vec<bool> {
        crate::report::charts::register_font().expect("font");
        let (w, h) = (400u32, 100u32);
        let mut rgb = vec![255u8; (w * h * 3) as usize];
        {
            let mut canvas = JoinlessBitMap(BitMapBackend::with_buffer(&mut rgb, (w, h)));
            let font = (style::FONT_FAMILY, 60).into_font().color(&BLACK);
            canvas.draw_text(text, &font, (20, 20)).expect("draws");
            canvas.present().expect("presents");
        }
        (0..w)
            .map(|x| (0..h).any(|y| rgb[((y * w + x) * 3) as usize] < 128))
            .collect()
    }

    /// "1" has a wide left side bearing: its ink starts that far right of the pen, and in
    /// "11" the gap between the two strokes is the advance minus the ink width, the same as
    /// the bearing plus the right one. plotters 0.3.7 drew the ink flush at the pen, which
    /// left a gap after every "1" ("11 7.2 s").
    #[test]
    fn glyphs_keep_their_left_side_bearing() {
        let font = FontRef::try_from_slice(style::FONT_TTF).expect("font");
        let scaled = font.as_scaled(60.0);
        let one = scaled.glyph_id('1');
        let lsb = scaled.h_side_bearing(one);
        assert!(lsb > 5.0, "'1' has a wide bearing: {lsb}");
        let cols = ink_columns("1");
        let first = cols.iter().position(|&c| c).expect("ink");
        assert!(
            (first as f32 - (20.0 + lsb)).abs() <= 1.5,
            "ink starts at {first}, pen 20 + bearing {lsb}"
        );
        // Two ones: both strokes the same distance from their pens, so the second starts one
        // advance after the first.
        let cols = ink_columns("11");
        let starts: Vec<usize> = (1..cols.len())
            .filter(|&x| cols[x] && !cols[x - 1])
            .collect();
        assert_eq!(starts.len(), 2, "two strokes: {starts:?}");
        let advance = scaled.h_advance(one);
        let step = (starts[1] - starts[0]) as f32;
        assert!((step - advance).abs() <= 1.5, "{step} vs advance {advance}");
    }

    /// A two-pixel zig-zag between rows 40 and 60, reversing within one or two pixel columns
    /// (what a noisy minute series looks like on a month-long axis), marks no pixel more than
    /// a stroke width away from those rows. The plain bitmap backend's joined polygon does
    /// (plotters issue #549), which is why the wrapper exists.
    #[test]
    fn a_wide_zig_zag_stays_within_its_rows() {
        let (w, h) = (100u32, 100u32);
        let mut rgb = vec![255u8; (w * h * 3) as usize];
        {
            let mut canvas = JoinlessBitMap(BitMapBackend::with_buffer(&mut rgb, (w, h)));
            let path: Vec<BackendCoord> = (0..60)
                .map(|i| (20 + i / 2, if i % 2 == 0 { 40 } else { 60 }))
                .collect();
            let stroke = Color::stroke_width(&BLACK, 2);
            canvas.draw_path(path, &stroke).expect("draws");
            canvas.present().expect("presents");
        }
        let mut marked_rows = 0;
        for y in 0..h {
            let row = &rgb[(y * w * 3) as usize..((y + 1) * w * 3) as usize];
            if row.iter().any(|&b| b != 255) {
                assert!((38..=62).contains(&y), "row {y} is marked");
                marked_rows += 1;
            }
        }
        assert!(
            marked_rows >= 20,
            "the zig-zag is drawn: {marked_rows} rows"
        );
    }
}
