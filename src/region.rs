//! AWS region names and the shorthands people type for them (`ue1`, `euw2`, `apse2`).

use anyhow::{Result, bail};

/// Regions known when this was written. A name that merely looks like a region is also
/// accepted, so new regions work before hat learns of them.
pub const KNOWN: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// Turns `ue1`, `use1`, `euw2`, `apse2`, `ugw1` or a full name into a region name.
pub fn expand(input: &str) -> Result<String> {
    let wanted = input.trim().to_ascii_lowercase();
    if KNOWN.contains(&wanted.as_str()) || looks_like_region(&wanted) {
        return Ok(wanted);
    }
    let matches: Vec<&str> = KNOWN
        .iter()
        .copied()
        .filter(|region| shorthands(region).contains(&wanted))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.to_string()),
        [] => bail!(
            "`{input}` is not a region or a region shorthand; use a name like eu-west-2 or a shorthand like euw2, ue1, apse2"
        ),
        many => bail!(
            "`{input}` could mean {}; spell the region out",
            many.join(" or ")
        ),
    }
}

fn looks_like_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].parse::<u8>().is_ok()
}

/// Every shorthand of one region: the geography as written or by its first letter
/// (`us`/`u`, `us-gov` → `usgov`/`ug`), the direction by its initials, then the number.
fn shorthands(region: &str) -> Vec<String> {
    let parts: Vec<&str> = region.split('-').collect();
    let (geo_parts, rest) = parts.split_at(parts.len() - 2);
    let (direction, number) = (rest[0], rest[1]);
    let geo_full: String = geo_parts.concat();
    let geo_initials: String = geo_parts.iter().filter_map(|p| p.chars().next()).collect();
    let dir = match direction {
        "northeast" => "ne",
        "northwest" => "nw",
        "southeast" => "se",
        "southwest" => "sw",
        other => &other[..1],
    };
    let mut out = vec![
        format!("{geo_full}{dir}{number}"),
        format!("{geo_initials}{dir}{number}"),
    ];
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorthands_expand() {
        for (short, long) in [
            ("ue1", "us-east-1"),
            ("use1", "us-east-1"),
            ("UW2", "us-west-2"),
            ("euw2", "eu-west-2"),
            ("ew1", "eu-west-1"),
            ("ec1", "eu-central-1"),
            ("apse2", "ap-southeast-2"),
            ("apne1", "ap-northeast-1"),
            ("ugw1", "us-gov-west-1"),
            ("cac1", "ca-central-1"),
            ("eu-west-1", "eu-west-1"),
            ("xx-newplace-9", "xx-newplace-9"),
        ] {
            assert_eq!(expand(short).unwrap(), long, "{short}");
        }
    }

    #[test]
    fn ambiguous_and_unknown_shorthands_are_refused() {
        let e = expand("as1").unwrap_err().to_string();
        assert!(e.contains("af-south-1") && e.contains("ap-south-1"), "{e}");
        assert!(expand("zz9").is_err());
        assert!(expand("$(x)").is_err());
    }
}
