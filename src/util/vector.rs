//! Vector arithmetic on sentence vectors (plain slices; the matrix products live in `model`).

/// `v` scaled to unit length (a zero vector stays zero).
pub fn normalized(mut v: Vec<f32>) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
    v
}

/// Dot product (cosine for unit vectors).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The mean of `vs` (empty for no vectors).
pub fn mean(vs: &[Vec<f32>]) -> Vec<f32> {
    let mut m = vec![0.0f32; vs.first().map_or(0, Vec::len)];
    for v in vs {
        for (a, b) in m.iter_mut().zip(v) {
            *a += b;
        }
    }
    let n = vs.len().max(1) as f32;
    m.iter_mut().for_each(|x| *x /= n);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mean_of_vectors_is_taken_per_component() {
        assert_eq!(mean(&[vec![1.0, 2.0], vec![3.0, 6.0]]), vec![2.0, 4.0]);
        assert!(mean(&[]).is_empty());
    }

    #[test]
    fn normalized_vectors_have_unit_length_and_zero_stays_zero() {
        let v = normalized(vec![3.0, 4.0]);
        assert!((dot(&v, &v) - 1.0).abs() < 1e-6);
        assert_eq!(v, vec![0.6, 0.8]);
        assert_eq!(normalized(vec![0.0, 0.0]), vec![0.0, 0.0]);
    }
}
