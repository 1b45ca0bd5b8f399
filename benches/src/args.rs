//! A small `--name value` command-line reader (the tools take a handful of numbers).

use std::collections::BTreeMap;
use std::str::FromStr;

/// Parsed `--name value` pairs plus positional words.
#[derive(Debug, Default)]
pub struct Args {
    named: BTreeMap<String, String>,
    /// Words not preceded by `--name`.
    pub positional: Vec<String>,
}

impl Args {
    /// Reads `args` (without the program name). `--flag` followed by another `--` or nothing
    /// is the value `true`.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Args {
        let mut out = Args::default();
        let mut it = args.into_iter().peekable();
        while let Some(a) = it.next() {
            if let Some(name) = a.strip_prefix("--") {
                let value = match it.peek() {
                    Some(v) if !v.starts_with("--") => it.next().unwrap_or_default(),
                    _ => "true".to_string(),
                };
                out.named.insert(name.to_string(), value);
            } else {
                out.positional.push(a);
            }
        }
        out
    }

    /// The raw value of `--name`.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.named.get(name).map(String::as_str)
    }

    /// `--name` parsed, or `default` when absent.
    pub fn get<T: FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        match self.raw(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("--{name}: cannot read {v:?}")),
        }
    }

    /// `--name` as a comma-separated list, or `default` when absent.
    pub fn list<T: FromStr>(&self, name: &str, default: Vec<T>) -> Result<Vec<T>, String> {
        match self.raw(name) {
            None => Ok(default),
            Some(v) => v
                .split(',')
                .map(|s| {
                    s.trim()
                        .parse()
                        .map_err(|_| format!("--{name}: cannot read {s:?}"))
                })
                .collect(),
        }
    }

    /// `--name` required.
    pub fn required<T: FromStr>(&self, name: &str) -> Result<T, String> {
        let v = self
            .raw(name)
            .ok_or_else(|| format!("--{name} is required"))?;
        v.parse()
            .map_err(|_| format!("--{name}: cannot read {v:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Args {
        Args::parse(s.split_whitespace().map(String::from))
    }

    #[test]
    fn named_values_flags_and_positionals() {
        let a = parse("fanout --clients 1000 --verbose --steps 5,10 extra");
        assert_eq!(a.positional, vec!["fanout", "extra"]);
        assert_eq!(a.get("clients", 0u64), Ok(1000));
        assert_eq!(a.get("verbose", false), Ok(true));
        assert_eq!(a.get("missing", 7u64), Ok(7));
        assert_eq!(a.list("steps", vec![1u64]), Ok(vec![5, 10]));
        assert!(a.get::<u64>("verbose", 0).is_err());
        assert!(a.required::<u64>("nope").is_err());
    }
}
