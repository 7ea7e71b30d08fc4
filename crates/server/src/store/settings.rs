//! [`SettingsStore`]: installation-wide key/value settings (the admin token's hash, a meeting's
//! report options, ...), for what is neither a log event nor worth a table of its own.

use async_trait::async_trait;

use super::StoreError;

#[async_trait]
pub trait SettingsStore: Send + Sync + 'static {
    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;
    async fn put_setting(&self, key: &str, value: &str) -> Result<(), StoreError>;
}
