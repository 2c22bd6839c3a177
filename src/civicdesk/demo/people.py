"""Demo residents, businesses and partners with the identities they write from, reused across cases."""

import random
from datetime import datetime

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.channels.models import Channel
from civicdesk.contacts.identities import normalize_identity
from civicdesk.contacts.models import Contact, ContactKind, Identity, IdentityKind
from civicdesk.demo import data

BATCH = 1000
SOCIAL_KINDS: dict[str, str] = {Channel.X: IdentityKind.X, Channel.MASTODON: IdentityKind.MASTODON,
                Channel.BLUESKY: IdentityKind.BLUESKY, Channel.FACEBOOK: IdentityKind.FACEBOOK}
PHONE_PREFIXES = ["+1215555", "+1267555", "+1445555"]  # 555 numbers that phonenumbers accepts as valid
REUSE_CHANCE = 0.3
ANONYMOUS_CHANCE = 0.05


class ContactPool:
    """Hands out a contact for each case, creating one (with its identities and audit) or reusing a known one."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.contacts: list[Contact] = []
        self.identities: list[Identity] = []
        self.audit: list[AuditEntry] = []
        self.by_kind: dict[str, list[Contact]] = {}
        self.emails: dict[int, str] = {}  # id(contact) -> email address
        self.serial = Contact.objects.count()  # numbers in addresses stay unique when seeding again

    def email_of(self, contact: Contact | None) -> str:
        return self.emails.get(id(contact), "") if contact is not None else ""

    def contact_for(self, channel: str, at: datetime) -> Contact | None:
        if channel in (Channel.WEB, Channel.OPEN311) and self.rng.random() < ANONYMOUS_CHANCE:
            return None
        kinds: list[str]
        if channel in SOCIAL_KINDS:
            kinds = [SOCIAL_KINDS[channel]]
        elif channel in (Channel.SMS, Channel.PHONE):
            kinds = [IdentityKind.PHONE]
        elif channel == Channel.EMAIL:
            kinds = [IdentityKind.EMAIL]
        else:
            kinds = [IdentityKind.EMAIL, IdentityKind.PHONE] if self.rng.random() < 0.4 else [IdentityKind.EMAIL]
        known = self.by_kind.get(kinds[0], [])
        if known and self.rng.random() < REUSE_CHANCE:
            return self.rng.choice(known)
        return self._new_contact(kinds, at)

    def _new_contact(self, kinds: list[str], at: datetime) -> Contact:
        rng = self.rng
        self.serial += 1
        roll = rng.random()
        first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
        kind, name, organisation, handle = ContactKind.RESIDENT, f"{first} {last}", "", f"{first}.{last}"
        if roll < 0.06:
            kind, name = ContactKind.BUSINESS, rng.choice(data.BUSINESSES)
            organisation, handle = name, name.replace(" ", "")
        elif roll < 0.09:
            kind, name = ContactKind.PARTNER, rng.choice(data.PARTNERS)
            organisation, handle = name, name.replace(" ", "")
        elif roll < 0.12:
            kind, (organisation, unit) = ContactKind.AGENCY_STAFF, rng.choice(data.OTHER_AGENCY_STAFF)
            handle = f"{first}.{last}.{unit}"
        contact = Contact(kind=kind, display_name=name, organisation=organisation, created_at=at)
        self.contacts.append(contact)
        self.audit.append(AuditEntry(at=at, actor_label="system", action=AuditAction.CONTACT_CREATED,
                                     contact=contact, after={"display_name": name}))
        for identity_kind in kinds:
            value = normalize_identity(identity_kind, self._raw_identity(identity_kind, handle))
            self.identities.append(Identity(contact=contact, kind=identity_kind, value=value, created_at=at))
            self.audit.append(AuditEntry(at=at, actor_label="system", action=AuditAction.IDENTITY_ADDED,
                                         contact=contact, after={"kind": identity_kind, "value": value}))
            self.by_kind.setdefault(identity_kind, []).append(contact)
            if identity_kind == IdentityKind.EMAIL:
                self.emails[id(contact)] = value
        return contact

    def _raw_identity(self, kind: str, handle: str) -> str:
        n = self.serial
        if kind == IdentityKind.EMAIL:
            return f"{handle}{n}@example.com"
        if kind == IdentityKind.PHONE:
            return f"{PHONE_PREFIXES[n // 10000 % 3]}{n % 10000:04d}"
        if kind == IdentityKind.MASTODON:
            return f"@{handle.replace('.', '_')}{n}@social.example.com"
        if kind == IdentityKind.BLUESKY:
            return f"@{handle.replace('.', '-')}{n}.bsky.example.com"
        if kind == IdentityKind.FACEBOOK:
            return f"1000{n:08d}"
        return f"@{handle.replace('.', '_')}{n}"

    def save(self) -> None:
        """Insert contacts and identities; created_at is auto_now_add, so the past dates are written after."""
        created = [(c, c.created_at) for c in self.contacts]
        Contact.objects.bulk_create(self.contacts, batch_size=BATCH)
        for contact, at in created:
            contact.created_at = at
        Contact.objects.bulk_update(self.contacts, ["created_at"], batch_size=BATCH)
        stamps = [i.created_at for i in self.identities]
        Identity.objects.bulk_create(self.identities, batch_size=BATCH)
        for identity, at in zip(self.identities, stamps, strict=True):
            identity.created_at = at
        Identity.objects.bulk_update(self.identities, ["created_at"], batch_size=BATCH)
