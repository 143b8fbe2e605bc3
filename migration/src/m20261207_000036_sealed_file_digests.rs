//! Sealed files describe their ciphertext.
//!
//! A file sealed to its module (compact JWE) is stored only as ciphertext. Files sealed
//! before sealing moved to submission kept the SHA-256 and size of their plaintext: a
//! digest of a small, guessable document (a certificate, a form) tells what it was. Up
//! sets `sha256` and `size` of every sealed file to those of the bytes stored. Down
//! leaves them: the plaintext's digest is not brought back.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::prelude::Uuid;
use sea_orm_migration::sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};

#[derive(DeriveIden)]
enum ApplicationFiles {
    Table,
    Id,
    Bytes,
    Sealed,
    Sha256,
    Size,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let select = Query::select()
            .columns([ApplicationFiles::Id, ApplicationFiles::Bytes])
            .from(ApplicationFiles::Table)
            .and_where(Expr::col(ApplicationFiles::Sealed).eq(true))
            .to_owned();
        let rows = db.query_all(backend.build(&select)).await?;
        for row in rows {
            let id: Uuid = row.try_get("", "id")?;
            let bytes: Vec<u8> = row.try_get("", "bytes")?;
            let digest = hex(&Sha256::digest(&bytes));
            let update = Query::update()
                .table(ApplicationFiles::Table)
                .value(ApplicationFiles::Sha256, digest)
                .value(ApplicationFiles::Size, bytes.len() as i64)
                .and_where(Expr::col(ApplicationFiles::Id).eq(id))
                .to_owned();
            db.execute(backend.build(&update)).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
