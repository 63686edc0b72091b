//! A fresh schema on a PostgreSQL server for one benchmark run, dropped afterwards.

pub struct PgSchema {
    base: String,
    name: String,
}

impl PgSchema {
    /// Creates the schema; returns it with the URL whose connections use it.
    pub fn create(base: &str) -> anyhow::Result<(PgSchema, String)> {
        use diesel::Connection;
        use diesel::connection::SimpleConnection;
        let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
        let mut admin = diesel::PgConnection::establish(base)?;
        admin.batch_execute(&format!("CREATE SCHEMA {name}"))?;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-csearch_path%3D{name}");
        Ok((
            PgSchema {
                base: base.to_owned(),
                name,
            },
            url,
        ))
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        use diesel::Connection;
        use diesel::connection::SimpleConnection;
        if let Ok(mut c) = diesel::PgConnection::establish(&self.base) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}
