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
//! Everything else goes straight to the bitmap backend.

use plotters::prelude::{BitMapBackend, DrawingBackend};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, DrawingErrorKind};

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

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), Error> {
        self.0.blit_bitmap(pos, size, src)
    }
}

#[cfg(test)]
mod tests {
    use plotters::prelude::*;

    use super::*;

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
