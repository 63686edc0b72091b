//! The largest file an organisation accepts in its consultations (documents of a deferred
//! request, files shared in a call). Its administrator may set a lower limit than the
//! platform's `calls.max_file_bytes`, never a higher one; without a setting the platform's
//! applies. The stored value is capped again when read, since the platform's limit may have
//! been lowered after the organisation chose its own.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::organizations;
use crate::error::{AppError, AppResult};

/// Below this an upload of even a small scan would fail; a typo, not a policy.
pub const MIN_BYTES: u64 = 64 * 1024;

/// The limit in force: the organisation's own, at most the platform's.
pub fn effective(own: Option<i64>, platform: u64) -> u64 {
    own.and_then(|v| u64::try_from(v).ok())
        .map_or(platform, |v| v.min(platform))
}

/// The organisation's own setting, as stored (`None`: the platform's limit).
pub fn stored(conn: &mut DbConnection, organization_id: &str) -> AppResult<Option<i64>> {
    Ok(organizations::table
        .find(organization_id)
        .select(organizations::max_file_bytes)
        .first::<Option<i64>>(conn)
        .optional()?
        .flatten())
}

/// The limit uploads to the organisation's consultations are held to.
pub fn for_organization(
    conn: &mut DbConnection,
    organization_id: &str,
    platform: u64,
) -> AppResult<u64> {
    Ok(effective(stored(conn, organization_id)?, platform))
}

/// An administrator's choice, checked against the platform's limit.
pub fn validate(requested: Option<u64>, platform: u64) -> AppResult<Option<i64>> {
    let Some(bytes) = requested else {
        return Ok(None);
    };
    if bytes > platform {
        return Err(AppError::unprocessable(
            "file_limit_above_platform",
            format!(
                "max_file_bytes may be at most the platform's limit of {} ({platform} bytes)",
                crate::storage::size_text(platform)
            ),
        ));
    }
    if bytes < MIN_BYTES {
        return Err(AppError::unprocessable(
            "file_limit_too_small",
            format!("max_file_bytes must be at least {MIN_BYTES} bytes"),
        ));
    }
    // Within the platform's u64 limit, which no configuration sets beyond i64.
    i64::try_from(bytes).map(Some).map_err(|_| {
        AppError::unprocessable("file_limit_above_platform", "max_file_bytes is too large")
    })
}

pub fn store(conn: &mut DbConnection, organization_id: &str, value: Option<i64>) -> AppResult<()> {
    diesel::update(organizations::table.find(organization_id))
        .set(organizations::max_file_bytes.eq(value))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platform_limit_caps_the_organisations() {
        assert_eq!(effective(None, 100), 100);
        assert_eq!(effective(Some(50), 100), 50);
        assert_eq!(
            effective(Some(500), 100),
            100,
            "the platform lowered its limit"
        );
        assert_eq!(effective(Some(-1), 100), 100);
    }

    #[test]
    fn a_setting_above_the_platform_or_absurdly_small_is_refused() {
        let platform = 25 * 1024 * 1024;
        assert_eq!(validate(None, platform).unwrap(), None);
        assert_eq!(
            validate(Some(10 * 1024 * 1024), platform).unwrap(),
            Some(10 * 1024 * 1024)
        );
        let err = validate(Some(50 * 1024 * 1024), platform).unwrap_err();
        assert_eq!(err.code(), "file_limit_above_platform");
        assert!(err.to_string().contains("25 MiB"), "{err}");
        assert_eq!(
            validate(Some(10), platform).unwrap_err().code(),
            "file_limit_too_small"
        );
    }
}
