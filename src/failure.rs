//! The one place that turns an SDK or HTTP failure into words for a sentence: what
//! happened ("did not answer within 9s", "refused the connection"), never a Debug
//! structure or a nested chain of `source:` texts. Callers add which endpoint and what
//! to check; every network error hat prints goes through here.

use aws_smithy_runtime_api::client::result::SdkError;
use std::error::Error;
use std::time::Duration;

/// What went wrong when an SDK call got no usable answer (a service's own error
/// answer is the caller's business: it has a code and a message).
pub fn sdk<E, R>(err: &SdkError<E, R>, total: Duration) -> String
where
    E: Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match err {
        SdkError::TimeoutError(_) => {
            format!("it did not answer within {}", seconds(total))
        }
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            "the connection timed out".to_string()
        }
        SdkError::DispatchFailure(_) => io_phrase(err),
        SdkError::ResponseError(_) => {
            format!("its answer could not be read ({})", io_phrase(err))
        }
        SdkError::ConstructionFailure(_) => {
            format!("the request could not be built ({})", innermost(err))
        }
        _ => innermost(err),
    }
}

/// What went wrong with a request hat made itself (reqwest); the URL is never quoted,
/// since hat's URLs can carry secrets.
pub fn http(err: &reqwest::Error, total: Duration) -> String {
    if err.is_timeout() {
        format!("it did not answer within {}", seconds(total))
    } else if err.is_connect() {
        io_phrase(err)
    } else if err.is_body() || err.is_decode() {
        format!("its answer could not be read ({})", io_phrase(err))
    } else {
        io_phrase(err)
    }
}

/// The innermost cause, in words a user recognises.
fn io_phrase(err: &(dyn Error + 'static)) -> String {
    let mut source: &(dyn Error + 'static) = err;
    loop {
        if let Some(io) = source.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            return match io.kind() {
                ConnectionRefused => "it refused the connection".to_string(),
                ConnectionReset => "it reset the connection".to_string(),
                ConnectionAborted | UnexpectedEof => "it closed the connection".to_string(),
                TimedOut => "the connection timed out".to_string(),
                _ => io.to_string(),
            };
        }
        match source.source() {
            Some(next) => source = next,
            None => break,
        }
    }
    let text = innermost(err);
    if text.contains("dns error") || text.contains("failed to lookup") {
        "its name could not be resolved".to_string()
    } else if text.contains("connection closed") || text.contains("IncompleteMessage") {
        "it closed the connection".to_string()
    } else {
        text
    }
}

fn innermost(err: &(dyn Error + 'static)) -> String {
    let mut source = err;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

/// `9s`, `1.5s`.
pub fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// A clock skew the caller measured, in words: "your clock is 10 minutes behind".
pub fn skew(offset_secs: i64) -> String {
    let ahead = offset_secs > 0;
    let n = offset_secs.unsigned_abs();
    let amount = if n >= 3600 {
        format!("{}h{:02}m", n / 3600, (n % 3600) / 60)
    } else if n >= 60 {
        format!("{}m{:02}s", n / 60, n % 60)
    } else {
        format!("{n}s")
    };
    format!(
        "this machine's clock is {amount} {} the server's",
        if ahead { "ahead of" } else { "behind" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_reads_as_words() {
        assert_eq!(
            skew(600),
            "this machine's clock is 10m00s ahead of the server's"
        );
        assert_eq!(
            skew(-3725),
            "this machine's clock is 1h02m behind the server's"
        );
        assert_eq!(skew(-5), "this machine's clock is 5s behind the server's");
    }

    #[test]
    fn io_errors_read_as_words() {
        let e = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(io_phrase(&e), "it refused the connection");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5s");
    }
}
