//! `hat cache list|clear [PROFILE]` (issue 14): entries named by profile with their
//! time left and no secret; clearing one profile's entry or the whole cache.

use crate::support::fake_sts::{self, FakeSts, Reply};
use crate::support::{CHAIN_CONFIG, Sandbox};

#[test]
fn cache_lists_entries_by_profile_and_clears_one_or_all() {
    let sb = Sandbox::new();
    sb.config(CHAIN_CONFIG);
    let sts = FakeSts::start(vec![Reply::Ok]);
    sb.assume(&["c"]).sts(&sts.url).run().success();
    let out = sb.hat(&["cache", "list"]).sts(&sts.url).run();
    out.success().stdout_has("PROFILE  EXPIRES");
    for profile in ["a ", "b ", "c "] {
        out.stdout_has(&format!("\n{profile}"));
    }
    assert!(!out.stdout.contains(fake_sts::ISSUED_SECRET_PREFIX));
    assert!(!out.stdout.contains(fake_sts::ISSUED_TOKEN_PREFIX));
    // Only c's chain, then c's own entry goes and a and b stay.
    let only = sb.hat(&["cache", "list", "b"]).sts(&sts.url).run();
    only.success();
    assert_eq!(only.stdout.lines().count(), 3, "{}", only.stdout);
    sb.hat(&["cache", "clear", "c"])
        .sts(&sts.url)
        .run()
        .success()
        .stderr_has("removed the cached credentials of profile `c`");
    assert_eq!(sb.cached().len(), 2);
    sb.assume(&["c"]).sts(&sts.url).run().success();
    assert_eq!(sts.actions().len(), 4, "only c was asked for again");
    sb.hat(&["cache", "clear", "base"])
        .run()
        .success()
        .stderr_has("hat caches nothing for it");
    sb.hat(&["cache", "clear"])
        .run()
        .success()
        .stderr_has("removed 3 cached credentials");
    assert!(sb.cached().is_empty());
    sb.hat(&["cache", "list"])
        .run()
        .success()
        .stderr_has("is empty");
}
