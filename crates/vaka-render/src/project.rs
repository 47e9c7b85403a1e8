//! Projection, antimeridian handling, clipping, simplification and compact path encoding.
//!
//! The projection is **equirectangular with cos(φ₀) scaling**: x grows with longitude, y with
//! latitude, and a degree of longitude is drawn `cos(φ₀)` times as wide as a degree of latitude,
//! where φ₀ is the middle latitude of the window. Over the Pacific window (24° N to 48° S) this
//! keeps shapes within a few per cent of true at the centre, with straight graticule lines that
//! are easy to label; Mercator would inflate New Zealand and the southern Cook Islands.
//!
//! Longitudes are *unwrapped* around the window's central meridian (about 183° for the Pacific
//! window), so 179.9° and -179.9° land 0.2° apart instead of 359.8° apart. Rings arrive
//! continuous from `geo`, so one shift by a multiple of 360° places a whole ring and no edge can
//! streak across the map.
//!
//! The pipeline per ring is: project → clip to the window (plus a margin, so clip edges stay
//! off-screen) → Douglas–Peucker in pixels → round to 0.1 px → relative path commands.
//! This module must not know about countries, values or colours.

use std::fmt::Write as _;

/// `d` wrapped into `[-180, 180)`.
pub(crate) fn wrap180(d: f64) -> f64 {
    (d + 180.0).rem_euclid(360.0) - 180.0
}

/// A point in SVG user units (pixels of the viewBox).
pub(crate) type Pt = (f64, f64);

/// An axis-aligned rectangle in pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rect {
    pub(crate) x0: f64,
    pub(crate) y0: f64,
    pub(crate) x1: f64,
    pub(crate) y1: f64,
}

impl Rect {
    pub(crate) fn contains(&self, (x, y): Pt) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }
}

/// Equirectangular projection of a longitude/latitude window onto `width` × `height` pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Projection {
    /// Longitudes are unwrapped into `centre_lon ± 180`.
    pub(crate) centre_lon: f64,
    /// Unwrapped longitude of the left edge.
    pub(crate) west: f64,
    /// Latitude of the top edge.
    pub(crate) north: f64,
    /// Pixels per degree of longitude (already scaled by cos φ₀).
    pub(crate) kx: f64,
    /// Pixels per degree of latitude.
    pub(crate) ky: f64,
    pub(crate) width: f64,
    pub(crate) height: f64,
}

impl Projection {
    /// Fits the window `west..east` (unwrapped, `east > west`) × `south..north` into `width`
    /// pixels; the height follows from the aspect ratio.
    pub(crate) fn fit(west: f64, east: f64, south: f64, north: f64, width: f64) -> Self {
        let lat0 = (south + north) / 2.0;
        // Clamped so a window near a pole cannot divide by ~0.
        let cos = lat0.to_radians().cos().max(0.2);
        let span = (east - west).max(1e-6);
        let kx = width / span;
        let ky = kx / cos;
        Self {
            centre_lon: (west + east) / 2.0,
            west,
            north,
            kx,
            ky,
            width,
            height: (north - south) * ky,
        }
    }

    /// `lon` moved by a multiple of 360° into `centre_lon ± 180`.
    pub(crate) fn unwrap(&self, lon: f64) -> f64 {
        self.centre_lon + wrap180(lon - self.centre_lon)
    }

    /// Projects a point given in ordinary (wrapped) coordinates.
    pub(crate) fn xy(&self, lat: f64, lon: f64) -> Pt {
        self.xy_unwrapped(self.unwrap(lon), lat)
    }

    /// Projects a point whose longitude is already unwrapped for this window.
    pub(crate) fn xy_unwrapped(&self, lon: f64, lat: f64) -> Pt {
        ((lon - self.west) * self.kx, (self.north - lat) * self.ky)
    }

    /// The multiple of 360° that brings a continuous ring spanning `lon_min..lon_max` next
    /// to the central meridian.
    pub(crate) fn shift_for(&self, lon_min: f64, lon_max: f64) -> f64 {
        let mid = (lon_min + lon_max) / 2.0;
        ((self.unwrap(mid) - mid) / 360.0).round() * 360.0
    }

    /// Projects a continuous ring (`[lon, lat]` pairs) shifted by `shift` degrees.
    pub(crate) fn ring(&self, pts: &[[f64; 2]], shift: f64) -> Vec<Pt> {
        pts.iter()
            .map(|[lon, lat]| self.xy_unwrapped(lon + shift, *lat))
            .collect()
    }

    /// The visible area grown by `margin` pixels on each side.
    pub(crate) fn frame(&self, margin: f64) -> Rect {
        Rect {
            x0: -margin,
            y0: -margin,
            x1: self.width + margin,
            y1: self.height + margin,
        }
    }
}

/// Sutherland–Hodgman clipping of a closed ring to `r`. Concave rings may gain zero-width
/// spurs along the rectangle's edges; callers clip to a frame just outside the visible area so
/// those spurs are never seen.
pub(crate) fn clip_ring(pts: &[Pt], r: Rect) -> Vec<Pt> {
    if pts.iter().all(|p| r.contains(*p)) {
        return pts.to_vec();
    }
    let mut poly = pts.to_vec();
    for edge in 0..4 {
        if poly.is_empty() {
            break;
        }
        let inside = |(x, y): Pt| match edge {
            0 => x >= r.x0,
            1 => x <= r.x1,
            2 => y >= r.y0,
            _ => y <= r.y1,
        };
        let cross = |a: Pt, b: Pt| -> Pt {
            let (t, fixed_x) = match edge {
                0 => ((r.x0 - a.0) / (b.0 - a.0), true),
                1 => ((r.x1 - a.0) / (b.0 - a.0), true),
                2 => ((r.y0 - a.1) / (b.1 - a.1), false),
                _ => ((r.y1 - a.1) / (b.1 - a.1), false),
            };
            let p = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
            // Pin the clipped coordinate exactly onto the edge against rounding drift.
            match (fixed_x, edge) {
                (true, 0) => (r.x0, p.1),
                (true, _) => (r.x1, p.1),
                (false, 2) => (p.0, r.y0),
                (false, _) => (p.0, r.y1),
            }
        };
        let mut out = Vec::with_capacity(poly.len() + 4);
        let mut prev = poly[poly.len() - 1];
        for &cur in &poly {
            match (inside(prev), inside(cur)) {
                (true, true) => out.push(cur),
                (true, false) => out.push(cross(prev, cur)),
                (false, true) => {
                    out.push(cross(prev, cur));
                    out.push(cur);
                }
                (false, false) => {}
            }
            prev = cur;
        }
        poly = out;
    }
    poly
}

/// Cuts a polyline into the pieces inside `r` (Liang–Barsky per segment).
pub(crate) fn clip_line(pts: &[Pt], r: Rect) -> Vec<Vec<Pt>> {
    let mut pieces: Vec<Vec<Pt>> = Vec::new();
    let mut cur: Vec<Pt> = Vec::new();
    for w in pts.windows(2) {
        match clip_segment(w[0], w[1], r) {
            Some((a, b)) => {
                if cur.last() != Some(&a) {
                    if cur.len() > 1 {
                        pieces.push(std::mem::take(&mut cur));
                    }
                    cur.clear();
                    cur.push(a);
                }
                cur.push(b);
            }
            None => {
                if cur.len() > 1 {
                    pieces.push(std::mem::take(&mut cur));
                }
                cur.clear();
            }
        }
    }
    if cur.len() > 1 {
        pieces.push(cur);
    }
    pieces
}

fn clip_segment(a: Pt, b: Pt, r: Rect) -> Option<(Pt, Pt)> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (p, q) in [
        (-dx, a.0 - r.x0),
        (dx, r.x1 - a.0),
        (-dy, a.1 - r.y0),
        (dy, r.y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    (t0 <= t1).then_some((
        (a.0 + dx * t0, a.1 + dy * t0),
        (a.0 + dx * t1, a.1 + dy * t1),
    ))
}

/// Douglas–Peucker simplification of a closed ring to `tol` pixels (iterative, so a ring of
/// 100,000 vertices cannot exhaust the stack).
pub(crate) fn simplify_ring(pts: &[Pt], tol: f64) -> Vec<Pt> {
    // A cheap radial pass first: most vertices of 1:10m coastlines are far below a pixel apart.
    let mut radial: Vec<Pt> = Vec::with_capacity(pts.len());
    for &p in pts {
        if radial
            .last()
            .is_none_or(|q| dist2(*q, p) > tol * tol * 0.25)
        {
            radial.push(p);
        }
    }
    if radial.len() <= 3 {
        return radial;
    }
    // Anchor the ring at vertex 0 and the vertex farthest from it, then simplify both halves.
    let far = (1..radial.len())
        .max_by(|&i, &j| dist2(radial[0], radial[i]).total_cmp(&dist2(radial[0], radial[j])))
        .unwrap_or(1);
    let n = radial.len();
    let mut keep = vec![false; n + 1];
    keep[0] = true;
    keep[far] = true;
    keep[n] = true;
    let at = |i: usize| radial[i % n];
    let mut stack = vec![(0usize, far), (far, n)];
    let tol2 = tol * tol;
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (pa, pb) = (at(a), at(b));
        let mut best = (0.0, a);
        for i in a + 1..b {
            let d = seg_dist2(at(i), pa, pb);
            if d > best.0 {
                best = (d, i);
            }
        }
        if best.0 > tol2 {
            keep[best.1] = true;
            stack.push((a, best.1));
            stack.push((best.1, b));
        }
    }
    (0..n).filter(|i| keep[*i]).map(|i| radial[i]).collect()
}

fn dist2(a: Pt, b: Pt) -> f64 {
    (a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)
}

fn seg_dist2(p: Pt, a: Pt, b: Pt) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return dist2(p, a);
    }
    let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0);
    dist2(p, (a.0 + t * dx, a.1 + t * dy))
}

/// Signed area (shoelace) and area-weighted centroid of a ring.
pub(crate) fn area_centroid(pts: &[Pt]) -> (f64, Pt) {
    let n = pts.len();
    let (mut a2, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (x0, y0) = pts[i];
        let (x1, y1) = pts[(i + 1) % n];
        let c = x0 * y1 - x1 * y0;
        a2 += c;
        cx += (x0 + x1) * c;
        cy += (y0 + y1) * c;
    }
    if a2.abs() < 1e-12 {
        let (sx, sy) = pts.iter().fold((0.0, 0.0), |s, p| (s.0 + p.0, s.1 + p.1));
        let k = n.max(1) as f64;
        return (0.0, (sx / k, sy / k));
    }
    (a2 / 2.0, (cx / (3.0 * a2), cy / (3.0 * a2)))
}

/// Writes path data with coordinates in tenths of a pixel: an absolute `M`, then relative
/// `l` steps, and `z` if `close`. Consecutive points that round to the same tenth are merged.
/// Returns the number of distinct points written (nothing is written below `min_points`).
pub(crate) fn encode(out: &mut String, pts: &[Pt], close: bool, min_points: usize) -> usize {
    let mut ints: Vec<(i64, i64)> = Vec::with_capacity(pts.len());
    for &(x, y) in pts {
        let p = (tenths(x), tenths(y));
        if ints.last() != Some(&p) {
            ints.push(p);
        }
    }
    if close && ints.len() > 1 && ints.first() == ints.last() {
        ints.pop();
    }
    if ints.len() < min_points.max(2) {
        return 0;
    }
    let mut w = NumWriter { out };
    let (x0, y0) = ints[0];
    w.out.push('M');
    w.num(x0);
    w.num(y0);
    w.out.push('l');
    let mut prev = (x0, y0);
    for &(x, y) in &ints[1..] {
        w.num(x - prev.0);
        w.num(y - prev.1);
        prev = (x, y);
    }
    if close {
        w.out.push('z');
    }
    ints.len()
}

/// Rounds to tenths; saturating `as` keeps absurd inputs finite instead of panicking.
fn tenths(v: f64) -> i64 {
    (v * 10.0).round() as i64
}

struct NumWriter<'a> {
    out: &'a mut String,
}

impl NumWriter<'_> {
    /// Writes `v / 10` as short as possible (`12` → `1.2`, `5` → `.5`, `-30` → `-3`), with a
    /// space only where the previous number would otherwise run into this one.
    fn num(&mut self, v: i64) {
        let needs_sep = self
            .out
            .as_bytes()
            .last()
            .is_some_and(|b| b.is_ascii_digit() || *b == b'.');
        if v < 0 {
            self.out.push('-');
        } else if needs_sep {
            self.out.push(' ');
        }
        let a = v.unsigned_abs();
        let (int, frac) = (a / 10, a % 10);
        if int > 0 || frac == 0 {
            let _ = write!(self.out, "{int}");
        }
        if frac != 0 {
            let _ = write!(self.out, ".{frac}");
        }
    }
}

/// Formats a coordinate with at most one decimal for attributes (`12.0` → `12`).
pub(crate) fn fmt1(v: f64) -> String {
    let t = tenths(v);
    let mut s = String::new();
    let mut w = NumWriter { out: &mut s };
    w.num(t);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_half_open_range() {
        assert_eq!(wrap180(180.0), -180.0);
        assert_eq!(wrap180(-180.0), -180.0);
        assert_eq!(wrap180(190.0), -170.0);
        assert_eq!(wrap180(-540.0), -180.0);
    }

    #[test]
    fn unwrap_puts_both_sides_of_the_date_line_together() {
        let p = Projection::fit(128.0, 238.0, -48.0, 24.0, 960.0);
        let (xa, _) = p.xy(-17.0, 179.95);
        let (xb, _) = p.xy(-17.0, -179.95);
        assert!((xb - xa) > 0.0 && (xb - xa) < 2.0, "{xa} {xb}");
        assert_eq!(p.shift_for(-180.5, -178.0), 360.0);
        assert_eq!(p.shift_for(177.0, 180.5), 0.0);
    }

    #[test]
    fn encoding_is_relative_and_compact() {
        let mut s = String::new();
        let n = encode(&mut s, &[(10.0, 20.0), (10.5, 19.7), (12.0, 19.7)], true, 3);
        assert_eq!(n, 3);
        assert_eq!(s, "M10 20l.5-.3 1.5 0z");
        let mut s = String::new();
        assert_eq!(
            encode(&mut s, &[(1.0, 1.0), (1.01, 1.01), (1.02, 1.0)], true, 3),
            0
        );
        assert!(s.is_empty());
    }

    #[test]
    fn clipping_a_square_half_outside() {
        let r = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 10.0,
            y1: 10.0,
        };
        let sq = [(5.0, 5.0), (15.0, 5.0), (15.0, 8.0), (5.0, 8.0)];
        let c = clip_ring(&sq, r);
        let (a, _) = area_centroid(&c);
        assert!((a.abs() - 15.0).abs() < 1e-9, "{c:?}");
        assert!(clip_ring(&[(20.0, 20.0), (30.0, 20.0), (30.0, 30.0)], r).is_empty());
    }

    #[test]
    fn clipping_a_line() {
        let r = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 10.0,
            y1: 10.0,
        };
        let pieces = clip_line(&[(-5.0, 5.0), (5.0, 5.0), (15.0, 5.0), (20.0, 20.0)], r);
        assert_eq!(pieces, vec![vec![(0.0, 5.0), (5.0, 5.0), (10.0, 5.0)]]);
    }

    #[test]
    fn simplification_keeps_corners_and_drops_noise() {
        let mut ring = Vec::new();
        for i in 0..100 {
            ring.push((i as f64, if i % 2 == 0 { 0.0 } else { 0.05 }));
        }
        ring.push((100.0, 100.0));
        ring.push((0.0, 100.0));
        let s = simplify_ring(&ring, 0.5);
        assert!(s.len() <= 5, "{s:?}");
        let (a, _) = area_centroid(&s);
        let (a0, _) = area_centroid(&ring);
        assert!((a.abs() - a0.abs()).abs() < 60.0, "{a} vs {a0}");
    }
}
