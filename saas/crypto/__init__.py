"""Field-level encryption: envelope keys per centre and per bilan (issue #4).

    crypto = Crypto(); crypto.init_app(app)      # app.extensions["crypto"]
    ring = crypto.keyring(centre.id)             # one per tenant session
    crypto.provision_centre(centre.id)           # at signup
    crypto.destroy_bilan_secrets(db, bilan_id)   # crypto-shredding

Modules, one job each: keys (master keys, wrapping), keystore (the separate
key database), keyring (a centre's unwrapped keys), envelope (ciphertext
format), fields (Sealed attributes), shred (destruction), rotation and cli
(key rotation commands). docs/SECURITY.md describes the design.
"""
from __future__ import annotations

from .envelope import DecryptionError
from .keyring import BilanKeyDestroyed, CentreNotProvisioned, KeyRing, centre_context
from .keys import MasterKeyError, MasterKeys, load_master_keys, new_key, zero
from .keystore import KeyStore


def _flag(value, default: bool = True) -> bool:
    """Config flags may come from the environment as strings."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(value)


class Crypto:
    """The encryption extension: master keys, the key store, keyrings."""

    def __init__(self, app=None):
        self.masters: MasterKeys | None = None
        self.store: KeyStore | None = None
        self.enabled = True
        if app is not None:
            self.init_app(app)

    def init_app(self, app) -> None:
        """Read KEYSTORE_URL, MASTER_KEY / MASTER_KEY_FILE, ENCRYPTION_ENABLED;
        create the key tables; refuse a master key that opens no centre key."""
        cfg = app.config
        # ENCRYPTION_ENABLED exists only so the benchmark can time the same page
        # without encryption. Production must never turn it off (docs/SECURITY.md).
        self.enabled = _flag(cfg.get("ENCRYPTION_ENABLED"), True)
        self.masters = load_master_keys(cfg.get("MASTER_KEY", ""), cfg.get("MASTER_KEY_FILE"),
                                        _flag(cfg.get("GENERATE_MISSING_SECRETS"), False))
        url = cfg.get("KEYSTORE_URL")
        if not url:
            raise RuntimeError("KEYSTORE_URL is not set: the key store must be its own database")
        if url == cfg.get("DATABASE_URL"):
            raise RuntimeError("KEYSTORE_URL must not be the data database (docs/SECURITY.md)")
        self.store = KeyStore(url)
        self.store.create_tables()
        self.check_master_keys()
        app.extensions["crypto"] = self

    # -- keys -------------------------------------------------------------
    def keyring(self, centre_id) -> KeyRing:
        """A fresh keyring for one tenant session (request or job); lazy, cheap."""
        return KeyRing(self.store, self.masters, centre_id, enabled=self.enabled)

    def provision_centre(self, centre_id) -> None:
        """Create and wrap the centre's first key (data key + blind-index key).

        Idempotent: a centre that has a key keeps it. A few milliseconds.
        """
        centre_id = str(centre_id)
        if self.store.centre_keys(centre_id):
            return
        material = new_key() + new_key()  # 32 bytes AES key, 32 bytes HMAC key
        try:
            master_id, wrapped = self.masters.wrap(material, centre_context(centre_id, 1))
        finally:
            zero(material)
        self.store.add_centre_key(centre_id, 1, master_id, wrapped)  # False: a concurrent call won

    def forget_centre(self, centre_id) -> None:
        """Delete all of a centre's keys: its data, wherever copied, is unreadable
        for good. Used to undo a failed signup and to close a centre."""
        self.store.destroy_centre_keys(str(centre_id))

    def destroy_bilan_secrets(self, db, bilan_id: str, models=None) -> None:
        """Crypto-shred one bilan: its key from the key store, its rows from `db`."""
        from .shred import destroy_bilan_secrets
        destroy_bilan_secrets(self, db, bilan_id, models=models)

    def check_master_keys(self) -> None:
        """Refuse to start when configured master keys do not open the stored
        centre keys. Reads only: nothing is written or re-wrapped."""
        rows = self.store.all_centre_keys()
        failed = []
        for row in rows:
            try:
                zero(self.masters.unwrap(row.master_key_id, row.wrapped,
                                         centre_context(row.centre_id, row.version)))
            except MasterKeyError:
                failed.append(row)
        if failed:
            missing = sorted({r.master_key_id for r in failed})
            raise MasterKeyError(
                f"The configured master key(s) {self.masters.ids} cannot open {len(failed)} of "
                f"{len(rows)} centre key(s) in the key store (they need master key id(s) {missing}). "
                "Nothing was changed. Configure the right master key (MASTER_KEY or MASTER_KEY_FILE; "
                "restore it from its backup) or point KEYSTORE_URL at the key store that goes with it. "
                "See docs/SECURITY.md, 'Master key backup and restore'.")

    @property
    def key_store(self) -> KeyStore:
        return self.store


__all__ = ["Crypto", "KeyRing", "DecryptionError", "BilanKeyDestroyed", "CentreNotProvisioned",
           "MasterKeyError"]
