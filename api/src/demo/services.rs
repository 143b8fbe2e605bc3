//! Seed data: the demo city's departments and municipal services (German and English).
//!
//! The texts follow the style of a German city's "Bürgeramt" pages. Fees and legal rules
//! reflect federal law where it is uniform (ID card, passport, certificate of good conduct,
//! residence permits, driving licence exchange); municipal fees (dog tax, parking permits,
//! bulky waste, trade office) are plausible demo values. The offices are placed in central
//! Helsinki, which is the demo city's map area. Phone numbers use the range the German
//! regulator reserves for fiction (030 23125 xxx); e-mail addresses use `city.example`.

/// How a service can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    InPerson,
    Online,
    Post,
    Phone,
    Email,
}

impl Channel {
    /// Stable machine name: "in_person", "online", "post", "phone" or "email".
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::InPerson => "in_person",
            Channel::Online => "online",
            Channel::Post => "post",
            Channel::Phone => "phone",
            Channel::Email => "email",
        }
    }
}

/// A city department that owns services.
#[derive(Debug, Clone, Copy)]
pub struct DepartmentSeed {
    pub slug: &'static str,
    pub name_de: &'static str,
    pub name_en: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
}

/// A weekly opening rule: weekday 0 = Monday .. 6 = Sunday, times "HH:MM".
#[derive(Debug, Clone, Copy)]
pub struct HoursSeed {
    pub weekday: u8,
    pub opens: &'static str,
    pub closes: &'static str,
}

/// One municipal service, bilingual.
#[derive(Debug, Clone, Copy)]
pub struct ServiceSeed {
    /// English, lowercase, hyphens, e.g. "register-residence".
    pub slug: &'static str,
    /// A [`DepartmentSeed`] slug.
    pub department: &'static str,
    /// A category key of the taxonomy, e.g. "admin.citizens-office".
    pub category: &'static str,
    pub name_de: &'static str,
    pub name_en: &'static str,
    /// 2-4 sentences.
    pub description_de: &'static str,
    pub description_en: &'static str,
    /// Who may apply.
    pub eligibility_de: &'static str,
    pub eligibility_en: &'static str,
    pub what_to_bring_de: &'static [&'static str],
    pub what_to_bring_en: &'static [&'static str],
    /// Fees as text, e.g. "46,00 € (ab 24 Jahren)" / "€46.00 (aged 24 and over)".
    pub fees_de: &'static str,
    pub fees_en: &'static str,
    pub processing_time_de: &'static str,
    pub processing_time_en: &'static str,
    pub channels: &'static [Channel],
    /// The https URL of the service's online application, or `None` while there is none
    /// (the demo city has none: its service pages say how to apply instead).
    pub online_url: Option<&'static str>,
    /// Street and number of the office.
    pub address: &'static str,
    pub postcode: &'static str,
    pub district: &'static str,
    pub lat: f64,
    pub lng: f64,
    /// Weekly opening hours of the office; empty for online-only services.
    pub hours: &'static [HoursSeed],
    /// Lowercase search tags in both languages.
    pub tags: &'static [&'static str],
    /// Slugs of related services in [`SERVICES`].
    pub related: &'static [&'static str],
}

const fn h(weekday: u8, opens: &'static str, closes: &'static str) -> HoursSeed {
    HoursSeed {
        weekday,
        opens,
        closes,
    }
}

/// Bürgeramt: long Tuesday and Thursday for people who work during the day.
const CITIZENS_OFFICE_HOURS: &[HoursSeed] = &[
    h(0, "08:00", "15:00"),
    h(1, "08:00", "18:00"),
    h(2, "08:00", "13:00"),
    h(3, "10:00", "18:00"),
    h(4, "08:00", "12:00"),
];

const REGISTRY_OFFICE_HOURS: &[HoursSeed] = &[
    h(0, "08:00", "12:00"),
    h(1, "08:00", "16:00"),
    h(3, "10:00", "18:00"),
    h(4, "08:00", "12:00"),
];

const FOREIGNERS_OFFICE_HOURS: &[HoursSeed] = &[
    h(0, "08:00", "13:00"),
    h(1, "08:00", "18:00"),
    h(3, "08:00", "18:00"),
    h(4, "08:00", "12:00"),
];

const ROAD_TRAFFIC_OFFICE_HOURS: &[HoursSeed] = &[
    h(0, "07:30", "15:00"),
    h(1, "07:30", "18:00"),
    h(2, "07:30", "12:00"),
    h(3, "07:30", "18:00"),
    h(4, "07:30", "12:00"),
];

/// Bauaufsicht: consultation hours only.
const BUILDING_AUTHORITY_HOURS: &[HoursSeed] = &[h(1, "09:00", "12:00"), h(3, "13:00", "18:00")];

const TRADE_OFFICE_HOURS: &[HoursSeed] = &[
    h(0, "08:00", "12:00"),
    h(1, "08:00", "16:00"),
    h(3, "10:00", "18:00"),
    h(4, "08:00", "12:00"),
];

const LIBRARY_HOURS: &[HoursSeed] = &[
    h(0, "10:00", "20:00"),
    h(1, "10:00", "20:00"),
    h(2, "10:00", "20:00"),
    h(3, "10:00", "20:00"),
    h(4, "10:00", "20:00"),
    h(5, "10:00", "16:00"),
];

const YOUTH_SOCIAL_OFFICE_HOURS: &[HoursSeed] = &[
    h(0, "09:00", "12:00"),
    h(1, "09:00", "12:00"),
    h(3, "13:00", "17:00"),
    h(4, "09:00", "12:00"),
];

/// Service desk (telephone and counter) of the streets and sanitation department.
const PUBLIC_WORKS_HOURS: &[HoursSeed] = &[
    h(0, "07:00", "16:00"),
    h(1, "07:00", "16:00"),
    h(2, "07:00", "16:00"),
    h(3, "07:00", "16:00"),
    h(4, "07:00", "13:00"),
];

pub const DEPARTMENTS: &[DepartmentSeed] = &[
    DepartmentSeed {
        slug: "citizens-office",
        name_de: "Bürgeramt",
        name_en: "Citizens' Office",
        email: "buergeramt@city.example",
        phone: "+49 30 23125 100",
    },
    DepartmentSeed {
        slug: "registry-office",
        name_de: "Standesamt",
        name_en: "Registry Office",
        email: "standesamt@city.example",
        phone: "+49 30 23125 200",
    },
    DepartmentSeed {
        slug: "foreigners-office",
        name_de: "Ausländerbehörde",
        name_en: "Immigration Office",
        email: "auslaenderbehoerde@city.example",
        phone: "+49 30 23125 300",
    },
    DepartmentSeed {
        slug: "road-traffic-office",
        name_de: "Straßenverkehrsamt",
        name_en: "Road Traffic Office",
        email: "strassenverkehrsamt@city.example",
        phone: "+49 30 23125 400",
    },
    DepartmentSeed {
        slug: "building-authority",
        name_de: "Bauaufsichtsamt",
        name_en: "Building Control Authority",
        email: "bauaufsicht@city.example",
        phone: "+49 30 23125 500",
    },
    DepartmentSeed {
        slug: "trade-office",
        name_de: "Gewerbeamt",
        name_en: "Trade Licensing Office",
        email: "gewerbeamt@city.example",
        phone: "+49 30 23125 600",
    },
    DepartmentSeed {
        slug: "city-library",
        name_de: "Stadtbibliothek",
        name_en: "City Library",
        email: "bibliothek@city.example",
        phone: "+49 30 23125 700",
    },
    DepartmentSeed {
        slug: "youth-social-office",
        name_de: "Amt für Jugend, Familie und Soziales",
        name_en: "Office for Youth, Family and Social Affairs",
        email: "jugend-soziales@city.example",
        phone: "+49 30 23125 800",
    },
    DepartmentSeed {
        slug: "public-works",
        name_de: "Amt für Straßen und Stadtreinigung",
        name_en: "Streets and Sanitation Department",
        email: "strassen-stadtreinigung@city.example",
        phone: "+49 30 23125 900",
    },
];

pub const SERVICES: &[ServiceSeed] = &[
    // ------------------------------------------------------------------ Bürgeramt
    ServiceSeed {
        slug: "register-residence",
        department: "citizens-office",
        category: "admin.citizens-office",
        name_de: "Wohnsitz anmelden",
        name_en: "Register your residence",
        description_de: "Wer in eine Wohnung einzieht, muss sich innerhalb von zwei Wochen nach dem Einzug beim Bürgeramt anmelden – beim Zuzug aus einer anderen Stadt oder aus dem Ausland ebenso wie bei einem Umzug innerhalb der Stadt. Sie erhalten sofort eine Meldebestätigung, und die neue Anschrift wird auf Ihrem Personalausweis vermerkt. Ihre bisherige Meldebehörde im Inland wird automatisch informiert; eine gesonderte Abmeldung ist dort nicht nötig. Mit der Online-Ausweisfunktion Ihres Personalausweises können Sie die Anmeldung auch online erledigen.",
        description_en: "Anyone who moves into a home must register with the Citizens' Office within two weeks of moving in – whether you come from another town, from abroad or are moving within the city. You receive a confirmation of registration straight away, and your new address is added to your ID card. Your previous registration office in Germany is informed automatically, so you do not need to deregister there. If your ID card has the online ID function activated, you can also register online.",
        eligibility_de: "Alle Personen, die in der Stadt eine Wohnung beziehen, unabhängig von der Staatsangehörigkeit. Minderjährige werden von ihren Eltern angemeldet. Sie können auch eine andere Person mit schriftlicher Vollmacht schicken.",
        eligibility_en: "Everyone who moves into a home in the city, regardless of nationality. Children are registered by their parents. You may also send another person with a written power of attorney.",
        what_to_bring_de: &[
            "Personalausweis oder Reisepass aller umziehenden Personen",
            "Wohnungsgeberbestätigung, ausgefüllt und unterschrieben vom Vermieter oder Eigentümer",
            "Ausgefülltes Anmeldeformular",
            "Bei Zuzug aus dem Ausland: Geburts- und ggf. Heiratsurkunde",
            "Bei Vertretung: schriftliche Vollmacht und Ausweis der bevollmächtigten Person",
        ],
        what_to_bring_en: &[
            "ID card or passport of everyone who is moving",
            "Landlord's confirmation (Wohnungsgeberbestätigung), completed and signed by the landlord or owner",
            "Completed registration form",
            "If moving from abroad: birth certificate and, if applicable, marriage certificate",
            "If someone registers on your behalf: written power of attorney and that person's ID",
        ],
        fees_de: "Gebührenfrei. Wer sich nicht rechtzeitig anmeldet, muss mit einem Bußgeld rechnen.",
        fees_en: "Free of charge. Registering late may result in a fine.",
        processing_time_de: "Sofort bei der Vorsprache; online in der Regel innerhalb von 3 Werktagen",
        processing_time_en: "Immediately at your appointment; online usually within 3 working days",
        channels: &[Channel::InPerson],
        online_url: None,
        address: "Kansakoulukuja 3",
        postcode: "00100",
        district: "Kamppi",
        lat: 60.1683,
        lng: 24.9312,
        hours: CITIZENS_OFFICE_HOURS,
        tags: &[
            "anmeldung",
            "ummeldung",
            "umzug",
            "wohnsitz",
            "meldebestätigung",
            "registration",
            "moving",
            "address",
            "residence",
        ],
        related: &[
            "deregister-residence",
            "residence-certificate",
            "identity-card",
            "residents-parking-permit",
        ],
    },
    ServiceSeed {
        slug: "deregister-residence",
        department: "citizens-office",
        category: "admin.citizens-office",
        name_de: "Wohnsitz abmelden",
        name_en: "Deregister your residence",
        description_de: "Eine Abmeldung ist nur nötig, wenn Sie ins Ausland ziehen oder eine Nebenwohnung aufgeben; bei einem Umzug innerhalb Deutschlands genügt die Anmeldung am neuen Wohnort. Sie können sich frühestens eine Woche vor und müssen sich spätestens zwei Wochen nach dem Auszug abmelden. Die Abmeldebestätigung benötigen Sie häufig für Banken, Versicherungen, Rundfunkbeitrag oder Behörden im Ausland.",
        description_en: "You only need to deregister if you move abroad or give up a secondary residence; if you move within Germany, registering at your new address is enough. You can deregister at the earliest one week before and must do so at the latest two weeks after moving out. You will often need the deregistration certificate for banks, insurers, the broadcasting fee or authorities abroad.",
        eligibility_de: "Personen, die ihre Wohnung in der Stadt aufgeben und ins Ausland ziehen, sowie Personen, die eine Nebenwohnung in der Stadt aufgeben.",
        eligibility_en: "People who give up their home in the city and move abroad, and people who give up a secondary residence in the city.",
        what_to_bring_de: &[
            "Personalausweis oder Reisepass",
            "Neue Anschrift im Ausland, falls bekannt",
            "Bei schriftlicher Abmeldung: unterschriebenes Abmeldeformular und Kopie des Ausweises",
        ],
        what_to_bring_en: &[
            "ID card or passport",
            "Your new address abroad, if known",
            "If deregistering by post: signed deregistration form and a copy of your ID",
        ],
        fees_de: "Gebührenfrei",
        fees_en: "Free of charge",
        processing_time_de: "Sofort bei der Vorsprache; per Post oder online etwa 1 Woche",
        processing_time_en: "Immediately at your appointment; about 1 week by post or online",
        channels: &[Channel::InPerson, Channel::Post],
        online_url: None,
        address: "Kansakoulukuja 3",
        postcode: "00100",
        district: "Kamppi",
        lat: 60.1683,
        lng: 24.9312,
        hours: CITIZENS_OFFICE_HOURS,
        tags: &[
            "abmeldung",
            "wegzug",
            "ausland",
            "nebenwohnung",
            "deregistration",
            "moving-abroad",
            "leaving",
        ],
        related: &["register-residence", "residence-certificate"],
    },
    ServiceSeed {
        slug: "residence-certificate",
        department: "citizens-office",
        category: "admin.citizens-office",
        name_de: "Meldebescheinigung beantragen",
        name_en: "Certificate of registration",
        description_de: "Die Meldebescheinigung bestätigt, unter welcher Anschrift Sie gemeldet sind. Die einfache Meldebescheinigung enthält Namen, Geburtsdatum und aktuelle Anschrift, die erweiterte zusätzlich zum Beispiel frühere Anschriften, Familienstand und Staatsangehörigkeit. Mit der Online-Ausweisfunktion können Sie die Bescheinigung online beantragen und sofort als PDF herunterladen.",
        description_en: "The certificate of registration confirms the address at which you are registered. The simple certificate shows your name, date of birth and current address; the extended certificate also shows, for example, previous addresses, marital status and nationality. With the online ID function you can apply online and download the certificate immediately as a PDF.",
        eligibility_de: "In der Stadt gemeldete Personen für sich selbst; für andere Personen nur mit deren schriftlicher Vollmacht.",
        eligibility_en: "People registered in the city, for themselves; for other people only with their written power of attorney.",
        what_to_bring_de: &[
            "Personalausweis oder Reisepass",
            "Bei Vertretung: schriftliche Vollmacht und Ausweis der bevollmächtigten Person",
        ],
        what_to_bring_en: &[
            "ID card or passport",
            "If someone applies on your behalf: written power of attorney and that person's ID",
        ],
        fees_de: "Einfache Meldebescheinigung: 5,00 €; erweiterte Meldebescheinigung: 10,00 €",
        fees_en: "Simple certificate: €5.00; extended certificate: €10.00",
        processing_time_de: "Sofort; per Post etwa 1 Woche",
        processing_time_en: "Immediately; about 1 week by post",
        channels: &[Channel::InPerson, Channel::Post],
        online_url: None,
        address: "Kansakoulukuja 3",
        postcode: "00100",
        district: "Kamppi",
        lat: 60.1683,
        lng: 24.9312,
        hours: CITIZENS_OFFICE_HOURS,
        tags: &[
            "meldebescheinigung",
            "wohnsitz",
            "nachweis",
            "certificate",
            "registration",
            "proof-of-address",
        ],
        related: &["register-residence", "marriage-registration"],
    },
    ServiceSeed {
        slug: "identity-card",
        department: "citizens-office",
        category: "admin.citizens-office",
        name_de: "Personalausweis beantragen",
        name_en: "Apply for an ID card",
        description_de: "Deutsche ab 16 Jahren müssen einen gültigen Personalausweis oder Reisepass besitzen. Den Antrag stellen Sie persönlich, weil Fingerabdrücke aufgenommen werden und Sie vor Ort unterschreiben. Das Lichtbild wird seit Mai 2025 nur noch digital übermittelt: Sie können es an unserem Fototerminal aufnehmen lassen oder ein Fotostudio beauftragen, das das Bild sicher an uns übermittelt. Der Ausweis ist ab 24 Jahren zehn Jahre gültig, sonst sechs Jahre.",
        description_en: "German citizens aged 16 and over must hold a valid ID card or passport. You have to apply in person because your fingerprints are taken and you sign at the office. Since May 2025 the photo is only accepted in digital form: you can have it taken at our photo terminal or ask a photo studio to send it to us securely. The card is valid for ten years if you are 24 or older, otherwise for six years.",
        eligibility_de: "Deutsche Staatsangehörige mit Hauptwohnsitz in der Stadt. Für Kinder unter 16 Jahren beantragen die Sorgeberechtigten den Ausweis; das Kind muss anwesend sein.",
        eligibility_en: "German citizens whose main residence is in the city. For children under 16 the parents or guardians apply; the child must be present.",
        what_to_bring_de: &[
            "Bisheriger Personalausweis oder Reisepass",
            "Digitales biometrisches Lichtbild (Abrufcode des Fotostudios) oder Aufnahme am Fototerminal vor Ort",
            "Bei der ersten Ausstellung: Geburtsurkunde",
            "Bei Kindern: Zustimmung aller Sorgeberechtigten und deren Ausweise",
        ],
        what_to_bring_en: &[
            "Your current ID card or passport",
            "Digital biometric photo (retrieval code from the photo studio) or a photo taken at our terminal",
            "For a first ID card: birth certificate",
            "For children: consent of all parents or guardians and their IDs",
        ],
        fees_de: "46,00 € (ab 24 Jahren); 27,60 € (unter 24 Jahren); vorläufiger Personalausweis 10,00 €; Lichtbild am Fototerminal 6,00 €",
        fees_en: "€46.00 (aged 24 and over); €27.60 (under 24); temporary ID card €10.00; photo at our terminal €6.00",
        processing_time_de: "Etwa 2 bis 4 Wochen; wir benachrichtigen Sie, sobald der Ausweis abholbereit ist",
        processing_time_en: "About 2 to 4 weeks; we notify you as soon as the card is ready for collection",
        channels: &[Channel::InPerson],
        online_url: None,
        address: "Kansakoulukuja 3",
        postcode: "00100",
        district: "Kamppi",
        lat: 60.1683,
        lng: 24.9312,
        hours: CITIZENS_OFFICE_HOURS,
        tags: &[
            "personalausweis",
            "ausweis",
            "perso",
            "online-ausweis",
            "id-card",
            "identity-card",
            "identification",
        ],
        related: &["passport", "register-residence"],
    },
    ServiceSeed {
        slug: "passport",
        department: "citizens-office",
        category: "admin.citizens-office",
        name_de: "Reisepass beantragen",
        name_en: "Apply for a passport",
        description_de: "Für Reisen in viele Länder außerhalb der Europäischen Union benötigen Sie einen Reisepass. Der Antrag ist nur persönlich möglich, weil Fingerabdrücke im Chip gespeichert werden; Kinderreisepässe werden seit 2024 nicht mehr ausgestellt. In dringenden Fällen können Sie einen Express-Reisepass oder einen sofort ausgestellten vorläufigen Reisepass beantragen – prüfen Sie vorher, ob Ihr Reiseland den vorläufigen Pass akzeptiert.",
        description_en: "You need a passport to travel to many countries outside the European Union. You must apply in person because fingerprints are stored on the chip; children's passports have not been issued since 2024. If you need a passport urgently you can apply for an express passport or a temporary passport issued on the spot – check beforehand whether your destination accepts the temporary passport.",
        eligibility_de: "Deutsche Staatsangehörige mit Hauptwohnsitz in der Stadt. Für Minderjährige beantragen die Sorgeberechtigten den Pass; das Kind muss anwesend sein.",
        eligibility_en: "German citizens whose main residence is in the city. For minors the parents or guardians apply; the child must be present.",
        what_to_bring_de: &[
            "Bisheriger Reisepass oder Personalausweis",
            "Digitales biometrisches Lichtbild (Abrufcode des Fotostudios) oder Aufnahme am Fototerminal vor Ort",
            "Bei der ersten Ausstellung: Geburtsurkunde",
            "Bei Kindern: Zustimmung aller Sorgeberechtigten und deren Ausweise",
        ],
        what_to_bring_en: &[
            "Your current passport or ID card",
            "Digital biometric photo (retrieval code from the photo studio) or a photo taken at our terminal",
            "For a first passport: birth certificate",
            "For children: consent of all parents or guardians and their IDs",
        ],
        fees_de: "70,00 € (ab 24 Jahren); 37,50 € (unter 24 Jahren); Zuschlag für 48 Seiten 22,00 €; Expresszuschlag 32,00 €; vorläufiger Reisepass 26,00 €",
        fees_en: "€70.00 (aged 24 and over); €37.50 (under 24); 48-page passport €22.00 extra; express surcharge €32.00; temporary passport €26.00",
        processing_time_de: "Etwa 3 bis 4 Wochen; Express-Reisepass in der Regel innerhalb von 3 bis 4 Werktagen; vorläufiger Reisepass sofort",
        processing_time_en: "About 3 to 4 weeks; express passport usually within 3 to 4 working days; temporary passport immediately",
        channels: &[Channel::InPerson],
        online_url: None,
        address: "Kansakoulukuja 3",
        postcode: "00100",
        district: "Kamppi",
        lat: 60.1683,
        lng: 24.9312,
        hours: CITIZENS_OFFICE_HOURS,
        tags: &[
            "reisepass",
            "pass",
            "expresspass",
            "reise",
            "passport",
            "travel",
            "express",
        ],
        related: &["identity-card", "register-residence"],
    },
    ServiceSeed {
        slug: "certificate-of-good-conduct",
        department: "citizens-office",
        category: "admin.citizens-office",
        name_de: "Führungszeugnis beantragen",
        name_en: "Certificate of good conduct",
        description_de: "Das Führungszeugnis zeigt, ob im Bundeszentralregister Eintragungen zu Ihrer Person vorliegen; Arbeitgeber und Behörden verlangen es häufig. Es wird vom Bundesamt für Justiz in Bonn ausgestellt – den Antrag stellen Sie im Bürgeramt oder online mit der Online-Ausweisfunktion. Ein Führungszeugnis zur Vorlage bei einer Behörde wird direkt an diese geschickt. Für Tätigkeiten mit Kindern und Jugendlichen wird meist ein erweitertes Führungszeugnis verlangt.",
        description_en: "The certificate of good conduct shows whether the Federal Central Criminal Register holds any entries about you; employers and authorities often ask for it. It is issued by the Federal Office of Justice in Bonn – you apply at the Citizens' Office or online with the online ID function. A certificate for an authority is sent directly to that authority. Work with children and young people usually requires an extended certificate.",
        eligibility_de: "Jede Person ab 14 Jahren, die in der Stadt gemeldet ist, für sich selbst. Eine Vertretung durch Bevollmächtigte ist nicht möglich; für Minderjährige kann auch die gesetzliche Vertretung den Antrag stellen.",
        eligibility_en: "Anyone aged 14 or over who is registered in the city, for themselves. You cannot send someone with a power of attorney; for minors, their legal guardian may also apply.",
        what_to_bring_de: &[
            "Personalausweis oder Reisepass",
            "Für ein Behördenführungszeugnis: Anschrift der Behörde und Verwendungszweck oder Aktenzeichen",
            "Für ein erweitertes Führungszeugnis: schriftliche Aufforderung der Stelle, die es verlangt",
        ],
        what_to_bring_en: &[
            "ID card or passport",
            "For a certificate sent to an authority: the authority's address and the purpose or file reference",
            "For an extended certificate: the written request from the organisation that requires it",
        ],
        fees_de: "13,00 €; für ehrenamtlich Tätige auf Antrag gebührenfrei (Bestätigung der Organisation erforderlich)",
        fees_en: "€13.00; free of charge on request for volunteers (confirmation from the organisation required)",
        processing_time_de: "In der Regel 1 bis 2 Wochen; das Bundesamt für Justiz versendet das Zeugnis per Post",
        processing_time_en: "Usually 1 to 2 weeks; the Federal Office of Justice sends the certificate by post",
        channels: &[Channel::InPerson],
        online_url: None,
        address: "Kansakoulukuja 3",
        postcode: "00100",
        district: "Kamppi",
        lat: 60.1683,
        lng: 24.9312,
        hours: CITIZENS_OFFICE_HOURS,
        tags: &[
            "führungszeugnis",
            "polizeiliches-führungszeugnis",
            "bundeszentralregister",
            "ehrenamt",
            "criminal-record",
            "good-conduct",
            "background-check",
        ],
        related: &["business-registration", "residence-certificate"],
    },
    ServiceSeed {
        slug: "certified-copy",
        department: "citizens-office",
        category: "admin.citizens-office",
        name_de: "Kopien und Unterschriften amtlich beglaubigen",
        name_en: "Official certification of copies and signatures",
        description_de: "Das Bürgeramt beglaubigt Kopien von Dokumenten und Unterschriften, wenn diese bei einer deutschen Behörde vorgelegt werden sollen. Bringen Sie dazu immer das Original mit. Personenstandsurkunden beglaubigen wir nicht – eine neue Urkunde erhalten Sie beim zuständigen Standesamt. Für Banken, Gerichte, Grundbuchangelegenheiten oder die Vorlage im Ausland benötigen Sie in der Regel eine notarielle Beglaubigung.",
        description_en: "The Citizens' Office certifies copies of documents and signatures that are to be presented to a German authority. Always bring the original document. We do not certify copies of civil status certificates – you can order a new certificate from the registry office concerned. Banks, courts, land register matters or use abroad usually require certification by a notary.",
        eligibility_de: "Alle Personen, die eine beglaubigte Kopie oder Unterschrift zur Vorlage bei einer deutschen Behörde benötigen.",
        eligibility_en: "Anyone who needs a certified copy or signature to present to a German authority.",
        what_to_bring_de: &[
            "Originaldokument",
            "Kopie des Dokuments (falls nicht vorhanden, fertigen wir sie gegen Gebühr an)",
            "Bei Unterschriftsbeglaubigung: Personalausweis oder Reisepass; unterschreiben Sie erst vor Ort",
        ],
        what_to_bring_en: &[
            "The original document",
            "A copy of the document (if you have none, we make one for a fee)",
            "To certify a signature: ID card or passport; do not sign until you are at the office",
        ],
        fees_de: "5,00 € je beglaubigtes Dokument; Unterschriftsbeglaubigung 10,00 €; Kopie 0,50 € je Seite",
        fees_en: "€5.00 per certified document; signature certification €10.00; copies €0.50 per page",
        processing_time_de: "Sofort",
        processing_time_en: "Immediately",
        channels: &[Channel::InPerson],
        online_url: None,
        address: "Kansakoulukuja 3",
        postcode: "00100",
        district: "Kamppi",
        lat: 60.1683,
        lng: 24.9312,
        hours: CITIZENS_OFFICE_HOURS,
        tags: &[
            "beglaubigung",
            "kopie",
            "unterschrift",
            "zeugnis",
            "certification",
            "certified-copy",
            "signature",
        ],
        related: &["residence-certificate", "birth-certificate"],
    },
    ServiceSeed {
        slug: "dog-licence",
        department: "citizens-office",
        category: "admin.citizens-office",
        name_de: "Hundesteuer anmelden",
        name_en: "Register a dog for dog tax",
        description_de: "Wer in der Stadt einen Hund hält, muss ihn innerhalb von zwei Wochen nach der Anschaffung oder dem Zuzug zur Hundesteuer anmelden, Welpen spätestens mit drei Monaten. Sie erhalten einen Steuerbescheid und eine Hundesteuermarke, die Ihr Hund außerhalb der Wohnung sichtbar tragen muss. Blindenführ- und Assistenzhunde sind steuerfrei, für Hunde aus einem Tierheim gibt es eine Ermäßigung. Wenn Sie den Hund abgeben oder er stirbt, melden Sie ihn bitte ab.",
        description_en: "If you keep a dog in the city, you must register it for dog tax within two weeks of getting it or moving here; puppies at the latest when they are three months old. You receive a tax assessment and a dog tax tag, which your dog must wear visibly outside your home. Guide and assistance dogs are exempt from the tax, and there is a reduction for dogs adopted from an animal shelter. If you give the dog away or it dies, please deregister it.",
        eligibility_de: "Alle Hundehalterinnen und Hundehalter mit Wohnsitz in der Stadt.",
        eligibility_en: "All dog owners living in the city.",
        what_to_bring_de: &[
            "Personalausweis oder Reisepass",
            "Angaben zum Hund: Rasse, Wurfdatum, Beginn der Haltung und Chipnummer",
            "Bei einem Hund aus dem Tierheim: Abgabevertrag",
            "Für eine Steuerbefreiung: Nachweis, z. B. über die Ausbildung als Assistenzhund",
        ],
        what_to_bring_en: &[
            "ID card or passport",
            "Details of the dog: breed, date of birth, date you got it and microchip number",
            "For a dog from an animal shelter: the adoption contract",
            "For a tax exemption: proof, e.g. of training as an assistance dog",
        ],
        fees_de: "Anmeldung gebührenfrei. Hundesteuer pro Jahr: 120,00 € für den ersten Hund, 180,00 € für jeden weiteren Hund, 600,00 € für gefährliche Hunde; Hundesteuermarke kostenlos",
        fees_en: "Registration is free. Annual dog tax: €120.00 for the first dog, €180.00 for each additional dog, €600.00 for dangerous dogs; tax tag free of charge",
        processing_time_de: "Steuerbescheid und Hundesteuermarke in der Regel innerhalb von 2 Wochen per Post",
        processing_time_en: "Tax assessment and tax tag usually within 2 weeks by post",
        channels: &[
            Channel::InPerson,
            Channel::Post,
            Channel::Email,
        ],
        online_url: None,
        address: "Kansakoulukuja 3",
        postcode: "00100",
        district: "Kamppi",
        lat: 60.1683,
        lng: 24.9312,
        hours: CITIZENS_OFFICE_HOURS,
        tags: &[
            "hundesteuer",
            "hund",
            "hundemarke",
            "steuermarke",
            "dog",
            "dog-tax",
            "dog-licence",
            "pet",
        ],
        related: &["register-residence"],
    },
    // ------------------------------------------------------------- Straßenverkehrsamt
    ServiceSeed {
        slug: "driving-licence-exchange",
        department: "road-traffic-office",
        category: "admin.transport",
        name_de: "Führerschein umtauschen",
        name_en: "Exchange your driving licence",
        description_de: "Alle Papierführerscheine und alle Kartenführerscheine, die vor dem 19. Januar 2013 ausgestellt wurden, müssen gegen den befristeten EU-Kartenführerschein umgetauscht werden. Die Fristen sind gestaffelt – bei Papierführerscheinen nach Geburtsjahr, bei Kartenführerscheinen nach Ausstellungsjahr – und enden spätestens am 19. Januar 2033. Eine Prüfung oder ärztliche Untersuchung ist nicht nötig; der neue Führerschein ist 15 Jahre gültig. Wer nach Ablauf der Frist mit dem alten Dokument fährt, riskiert ein Verwarnungsgeld, die Fahrerlaubnis selbst bleibt bestehen.",
        description_en: "All paper driving licences and all card licences issued before 19 January 2013 must be exchanged for the time-limited EU card licence. The deadlines are staggered – by year of birth for paper licences and by year of issue for card licences – and end on 19 January 2033 at the latest. No test or medical examination is needed; the new licence is valid for 15 years. Driving with the old document after your deadline can lead to a warning fine, but your entitlement to drive remains valid.",
        eligibility_de: "Inhaberinnen und Inhaber eines deutschen Führerscheins mit Hauptwohnsitz in der Stadt; der Antrag muss persönlich gestellt werden. Für die Umschreibung ausländischer Führerscheine gelten gesonderte Regeln.",
        eligibility_en: "Holders of a German driving licence whose main residence is in the city; you must apply in person. Different rules apply to converting a foreign driving licence.",
        what_to_bring_de: &[
            "Personalausweis oder Reisepass",
            "Bisheriger Führerschein im Original",
            "Ein aktuelles biometrisches Passfoto (35 × 45 mm)",
            "Karteikartenabschrift der ausstellenden Behörde, wenn der Führerschein nicht von der Stadt ausgestellt wurde",
        ],
        what_to_bring_en: &[
            "ID card or passport",
            "Your current driving licence (original)",
            "One recent biometric passport photo (35 × 45 mm)",
            "A record extract (Karteikartenabschrift) from the issuing authority if your licence was not issued by the city",
        ],
        fees_de: "25,30 €; zuzüglich der Kosten einer gegebenenfalls nötigen Karteikartenabschrift",
        fees_en: "€25.30; plus the cost of a record extract from the issuing authority, if required",
        processing_time_de: "Etwa 3 bis 5 Wochen (Herstellung bei der Bundesdruckerei); den alten Führerschein behalten Sie bis zur Abholung",
        processing_time_en: "About 3 to 5 weeks (produced by the Federal Printing Office); you keep your old licence until you collect the new one",
        channels: &[Channel::InPerson],
        online_url: None,
        address: "Kaikukatu 3",
        postcode: "00530",
        district: "Kallio",
        lat: 60.1847,
        lng: 24.9597,
        hours: ROAD_TRAFFIC_OFFICE_HOURS,
        tags: &[
            "führerschein",
            "umtausch",
            "pflichtumtausch",
            "kartenführerschein",
            "fahrerlaubnis",
            "driving-licence",
            "drivers-license",
            "exchange",
        ],
        related: &["identity-card", "residents-parking-permit"],
    },
    ServiceSeed {
        slug: "residents-parking-permit",
        department: "road-traffic-office",
        category: "admin.transport",
        name_de: "Bewohnerparkausweis beantragen",
        name_en: "Residents' parking permit",
        description_de: "Mit dem Bewohnerparkausweis dürfen Sie in Ihrer Bewohnerparkzone auf den entsprechend beschilderten Flächen ohne Parkschein und ohne zeitliche Begrenzung parken. Der Ausweis gilt nur für das eingetragene Kennzeichen und nur in der Zone, in der Sie wohnen; einen freien Parkplatz garantiert er nicht. Jede berechtigte Person erhält einen Ausweis für ein Fahrzeug.",
        description_en: "With a residents' parking permit you may park in the signposted spaces of your residents' parking zone without a parking ticket and without a time limit. The permit is only valid for the registered number plate and only in the zone where you live; it does not guarantee a free space. Each eligible person receives one permit for one vehicle.",
        eligibility_de: "Personen mit Hauptwohnsitz in einer Bewohnerparkzone, auf die ein Fahrzeug zugelassen ist oder die ein Fahrzeug dauerhaft nutzen, z. B. einen Firmen- oder Leasingwagen.",
        eligibility_en: "People whose main residence is in a residents' parking zone and who have a vehicle registered in their name or in permanent use, for example a company or leased car.",
        what_to_bring_de: &[
            "Personalausweis oder Reisepass mit aktueller Anschrift",
            "Zulassungsbescheinigung Teil I (Fahrzeugschein)",
            "Bei Firmen- oder fremden Fahrzeugen: Nutzungsbestätigung des Halters bzw. Arbeitgebers",
        ],
        what_to_bring_en: &[
            "ID card or passport showing your current address",
            "Vehicle registration certificate part I (Fahrzeugschein)",
            "For company cars or vehicles registered to someone else: confirmation of use from the owner or employer",
        ],
        fees_de: "60,00 € für ein Jahr; 120,00 € für zwei Jahre; Änderung des Kennzeichens 10,00 €",
        fees_en: "€60.00 for one year; €120.00 for two years; change of number plate €10.00",
        processing_time_de: "Vor Ort sofort; bei Online-Antrag Zusendung per Post innerhalb von etwa 10 Werktagen",
        processing_time_en: "Immediately at the office; if you apply online, sent by post within about 10 working days",
        channels: &[Channel::InPerson, Channel::Post],
        online_url: None,
        address: "Kaikukatu 3",
        postcode: "00530",
        district: "Kallio",
        lat: 60.1847,
        lng: 24.9597,
        hours: ROAD_TRAFFIC_OFFICE_HOURS,
        tags: &[
            "bewohnerparken",
            "parkausweis",
            "anwohnerparken",
            "parken",
            "parking",
            "parking-permit",
            "residents-parking",
        ],
        related: &["register-residence", "temporary-no-parking-zone"],
    },
    ServiceSeed {
        slug: "temporary-no-parking-zone",
        department: "road-traffic-office",
        category: "admin.transport",
        name_de: "Halteverbot für Umzug beantragen",
        name_en: "Temporary no-parking zone for a move",
        description_de: "Für einen Umzug, eine Möbellieferung oder Handwerksarbeiten können Sie ein zeitlich begrenztes Halteverbot auf öffentlicher Straße beantragen. Stellen Sie den Antrag mindestens zwei Wochen vor dem gewünschten Termin. Die Halteverbotsschilder müssen mindestens 72 Stunden vorher aufgestellt sein; Sie können sie selbst aufstellen oder ein Fachunternehmen beauftragen.",
        description_en: "For a move, a furniture delivery or building work you can apply for a temporary no-parking zone on a public street. Apply at least two weeks before the date you need. The no-parking signs must be put up at least 72 hours in advance; you can set them up yourself or hire a specialist company.",
        eligibility_de: "Privatpersonen, Umzugsunternehmen und Handwerksbetriebe.",
        eligibility_en: "Private individuals, removal companies and tradespeople.",
        what_to_bring_de: &[
            "Genaue Adresse und Länge der benötigten Fläche (meist 15 Meter)",
            "Datum und Uhrzeit (von – bis)",
            "Angaben zum Fahrzeug (Größe, Kennzeichen falls bekannt)",
        ],
        what_to_bring_en: &[
            "Exact address and length of the space needed (usually 15 metres)",
            "Date and time (from – to)",
            "Details of the vehicle (size, number plate if known)",
        ],
        fees_de: "30,00 € Verwaltungsgebühr; zuzüglich Kosten für die Beschilderung, falls Sie ein Fachunternehmen beauftragen",
        fees_en: "€30.00 administrative fee; plus the cost of the signs if you hire a specialist company",
        processing_time_de: "Etwa 5 bis 10 Werktage",
        processing_time_en: "About 5 to 10 working days",
        channels: &[Channel::Email, Channel::Post],
        online_url: None,
        address: "Kaikukatu 3",
        postcode: "00530",
        district: "Kallio",
        lat: 60.1847,
        lng: 24.9597,
        hours: ROAD_TRAFFIC_OFFICE_HOURS,
        tags: &[
            "halteverbot",
            "umzug",
            "parkverbot",
            "umzugsschilder",
            "no-parking",
            "moving",
            "removal",
        ],
        related: &["register-residence", "residents-parking-permit"],
    },
    // ---------------------------------------------------------------- Standesamt
    ServiceSeed {
        slug: "birth-certificate",
        department: "registry-office",
        category: "admin.registry-office",
        name_de: "Geburtsurkunde beantragen",
        name_en: "Birth certificate",
        description_de: "Geburtsurkunden stellt das Standesamt aus, in dessen Bezirk die Geburt beurkundet wurde – hier also für alle Personen, die in der Stadt geboren sind. Auf Antrag erhalten Sie statt der Urkunde einen beglaubigten Ausdruck aus dem Geburtenregister, der zum Beispiel für die Eheschließung verlangt wird. Die Geburt eines Neugeborenen zeigt in der Regel die Klinik an; die Eltern reichen danach die nötigen Unterlagen beim Standesamt ein.",
        description_en: "Birth certificates are issued by the registry office of the district in which the birth was registered – here, for everyone born in the city. On request you can receive a certified extract from the birth register instead, which is required, for example, to get married. The birth of a newborn is usually reported by the hospital; the parents then submit the required documents to the registry office.",
        eligibility_de: "Die Person selbst, Ehegatten oder Lebenspartner, Eltern, Großeltern, Kinder und Enkel. Geschwister und andere Personen nur bei rechtlichem Interesse. Bevollmächtigte mit schriftlicher Vollmacht.",
        eligibility_en: "The person concerned, spouses or civil partners, parents, grandparents, children and grandchildren. Siblings and others only if they have a legal interest. Authorised representatives with a written power of attorney.",
        what_to_bring_de: &[
            "Personalausweis oder Reisepass",
            "Angaben zur Person: Name, Geburtsname, Geburtsdatum und Geburtsort",
            "Bei Vertretung: schriftliche Vollmacht und Ausweiskopie der vertretenen Person",
        ],
        what_to_bring_en: &[
            "ID card or passport",
            "Details of the person: name, birth name, date and place of birth",
            "If applying for someone else: written power of attorney and a copy of their ID",
        ],
        fees_de: "12,00 € für die erste Urkunde; 6,00 € für jede weitere gleichzeitig beantragte Urkunde; Geburtsbescheinigungen für Elterngeld, Kindergeld und Mutterschaftsgeld gebührenfrei",
        fees_en: "€12.00 for the first certificate; €6.00 for each additional copy ordered at the same time; birth confirmations for parental allowance, child benefit and maternity pay are free of charge",
        processing_time_de: "Vor Ort meist sofort; bei Online- oder schriftlichem Antrag etwa 1 bis 2 Wochen",
        processing_time_en: "Usually immediately at the office; about 1 to 2 weeks if you apply online or by post",
        channels: &[Channel::InPerson, Channel::Post],
        online_url: None,
        address: "Pohjoisesplanadi 11",
        postcode: "00170",
        district: "Kruununhaka",
        lat: 60.1679,
        lng: 24.9525,
        hours: REGISTRY_OFFICE_HOURS,
        tags: &[
            "geburtsurkunde",
            "urkunde",
            "geburtenregister",
            "geburt",
            "birth-certificate",
            "birth",
            "certificate",
        ],
        related: &["marriage-registration", "death-registration", "childcare-place"],
    },
    ServiceSeed {
        slug: "marriage-registration",
        department: "registry-office",
        category: "admin.registry-office",
        name_de: "Eheschließung anmelden",
        name_en: "Give notice of marriage",
        description_de: "Vor der Hochzeit melden Sie die Eheschließung bei dem Standesamt an, in dessen Bezirk einer von Ihnen mit Haupt- oder Nebenwohnung gemeldet ist; dort wird geprüft, ob Sie die Ehe schließen dürfen. Die Anmeldung ist frühestens sechs Monate vor der Trauung möglich und bleibt sechs Monate gültig. Getraut werden können Sie anschließend in jedem Standesamt in Deutschland. Bitte vereinbaren Sie einen Termin, zu dem möglichst beide Partner kommen.",
        description_en: "Before the wedding you give notice of marriage at the registry office of the district in which one of you has a main or secondary residence; the office checks that you are free to marry. Notice can be given at the earliest six months before the ceremony and remains valid for six months. You can then marry at any registry office in Germany. Please book an appointment that both partners can attend if possible.",
        eligibility_de: "Volljährige Personen, die nicht bereits verheiratet oder verpartnert sind und nicht in gerader Linie oder als Geschwister miteinander verwandt sind.",
        eligibility_en: "Adults who are not already married or in a civil partnership and who are not related to each other in direct line or as siblings.",
        what_to_bring_de: &[
            "Personalausweise oder Reisepässe beider Partner",
            "Beglaubigte Ausdrucke aus dem Geburtenregister (nicht älter als sechs Monate)",
            "Erweiterte Meldebescheinigung, wenn Sie nicht in der Stadt gemeldet sind",
            "Bei früheren Ehen: Eheurkunde und Nachweis der Auflösung, z. B. rechtskräftiges Scheidungsurteil",
            "Bei ausländischen Staatsangehörigen: Ehefähigkeitszeugnis und ggf. übersetzte, legalisierte Urkunden",
        ],
        what_to_bring_en: &[
            "ID cards or passports of both partners",
            "Certified extracts from the birth register (not older than six months)",
            "Extended certificate of registration if you are not registered in the city",
            "If previously married: marriage certificate and proof of dissolution, e.g. final divorce decree",
            "For foreign nationals: certificate of no impediment and, if required, translated and legalised documents",
        ],
        fees_de: "Anmeldung der Eheschließung 40,00 €; mit Auslandsbezug 70,00 €; Zuschlag für Trauungen am Samstag 100,00 €; Eheurkunde 12,00 €",
        fees_en: "Notice of marriage €40.00; with foreign documents involved €70.00; surcharge for Saturday ceremonies €100.00; marriage certificate €12.00",
        processing_time_de: "Prüfung meist 1 bis 4 Wochen; bei Auslandsbezug mehrere Wochen bis Monate",
        processing_time_en: "Review usually takes 1 to 4 weeks; several weeks to months if foreign documents are involved",
        channels: &[Channel::InPerson, Channel::Email],
        online_url: None,
        address: "Pohjoisesplanadi 11",
        postcode: "00170",
        district: "Kruununhaka",
        lat: 60.1679,
        lng: 24.9525,
        hours: REGISTRY_OFFICE_HOURS,
        tags: &[
            "eheschließung",
            "heirat",
            "hochzeit",
            "trauung",
            "standesamt",
            "marriage",
            "wedding",
        ],
        related: &["birth-certificate", "residence-certificate"],
    },
    ServiceSeed {
        slug: "death-registration",
        department: "registry-office",
        category: "admin.registry-office",
        name_de: "Sterbefall anzeigen und Sterbeurkunde erhalten",
        name_en: "Register a death and obtain a death certificate",
        description_de: "Ein Sterbefall muss spätestens am dritten Werktag nach dem Tod beim Standesamt des Sterbeorts angezeigt werden. Meist übernimmt das beauftragte Bestattungsunternehmen die Anzeige; Angehörige können den Sterbefall aber auch selbst anzeigen. Das Standesamt beurkundet den Tod und stellt die Sterbeurkunden aus, die Sie zum Beispiel für Rentenversicherung, Banken und Versicherungen benötigen.",
        description_en: "A death must be reported to the registry office of the place of death no later than the third working day after the death. This is usually done by the funeral home you have engaged, but relatives can also report the death themselves. The registry office registers the death and issues death certificates, which you need, for example, for the pension insurance, banks and insurers.",
        eligibility_de: "Zur Anzeige verpflichtet sind Personen, die mit der verstorbenen Person zusammengelebt haben, oder die beim Tod anwesend waren bzw. aus eigenem Wissen davon wissen; bei Todesfällen in Kliniken und Heimen deren Träger. Beauftragte Bestattungsunternehmen können die Anzeige übernehmen.",
        eligibility_en: "The duty to report lies with people who lived with the deceased, or who were present at the death or know of it first-hand; for deaths in hospitals and care homes, with the institution. A funeral home you have engaged can make the report for you.",
        what_to_bring_de: &[
            "Todesbescheinigung (vom Arzt ausgestellt)",
            "Personalausweis oder Reisepass der verstorbenen Person",
            "Geburtsurkunde; bei Verheirateten die Eheurkunde, bei Verwitweten zusätzlich die Sterbeurkunde des Ehegatten, bei Geschiedenen das Scheidungsurteil",
            "Personalausweis oder Reisepass der anzeigenden Person",
        ],
        what_to_bring_en: &[
            "Medical death certificate (issued by the doctor)",
            "ID card or passport of the deceased",
            "Birth certificate; if married, the marriage certificate; if widowed, also the spouse's death certificate; if divorced, the divorce decree",
            "ID card or passport of the person reporting the death",
        ],
        fees_de: "Beurkundung gebührenfrei; Sterbeurkunde 12,00 €, jede weitere gleichzeitig ausgestellte Urkunde 6,00 €",
        fees_en: "Registration is free of charge; death certificate €12.00, each additional copy issued at the same time €6.00",
        processing_time_de: "In der Regel 1 bis 3 Werktage nach Eingang aller Unterlagen",
        processing_time_en: "Usually 1 to 3 working days after all documents have been received",
        channels: &[Channel::InPerson, Channel::Post],
        online_url: None,
        address: "Pohjoisesplanadi 11",
        postcode: "00170",
        district: "Kruununhaka",
        lat: 60.1679,
        lng: 24.9525,
        hours: REGISTRY_OFFICE_HOURS,
        tags: &[
            "sterbefall",
            "sterbeurkunde",
            "todesfall",
            "bestattung",
            "death",
            "death-certificate",
            "bereavement",
        ],
        related: &["birth-certificate"],
    },
    // ------------------------------------------------------------ Bauaufsichtsamt
    ServiceSeed {
        slug: "building-permit",
        department: "building-authority",
        category: "admin.permits",
        name_de: "Baugenehmigung beantragen",
        name_en: "Apply for a building permit",
        description_de: "Für die Errichtung, Änderung, Nutzungsänderung oder den Abbruch baulicher Anlagen ist in vielen Fällen eine Baugenehmigung erforderlich. Den Bauantrag reichen Sie digital über das Bauportal ein; er muss von einer bauvorlageberechtigten Person, etwa einer Architektin oder einem Bauingenieur, erstellt und unterschrieben sein. Ob Ihr Vorhaben genehmigungsfrei ist oder ein vereinfachtes Verfahren genügt, klären wir gern vorab in einer Bauberatung. Mit dem Bau dürfen Sie erst beginnen, wenn die Baugenehmigung vorliegt.",
        description_en: "Constructing, altering, changing the use of or demolishing a building often requires a building permit. You submit the application digitally through the building portal; it must be prepared and signed by a person qualified to submit building documents, such as an architect or structural engineer. We are happy to clarify in advance, in a planning consultation, whether your project needs no permit or can follow the simplified procedure. You may only start building once the permit has been granted.",
        eligibility_de: "Bauherrinnen und Bauherren: Eigentümer des Grundstücks oder Personen mit deren Zustimmung, z. B. Erbbauberechtigte oder Mieter.",
        eligibility_en: "Developers: owners of the plot or people acting with the owner's consent, e.g. leaseholders or tenants.",
        what_to_bring_de: &[
            "Bauantragsformular",
            "Amtlicher Lageplan",
            "Bauzeichnungen (Grundrisse, Schnitte, Ansichten)",
            "Baubeschreibung und Berechnung der Baukosten",
            "Bautechnische Nachweise (z. B. Standsicherheit, Brandschutz), soweit erforderlich",
            "Stellplatznachweis und Entwässerungsplan",
        ],
        what_to_bring_en: &[
            "Building application form",
            "Official site plan",
            "Building drawings (floor plans, sections, elevations)",
            "Building description and calculation of construction costs",
            "Technical certificates (e.g. structural stability, fire safety) where required",
            "Proof of parking spaces and drainage plan",
        ],
        fees_de: "Abhängig von den Baukosten, in der Regel 0,5 % bis 1 % der Rohbausumme, mindestens 100,00 €; Bauberatung gebührenfrei",
        fees_en: "Depends on the construction costs, usually 0.5% to 1% of the shell construction costs, minimum €100.00; planning consultation free of charge",
        processing_time_de: "Im vereinfachten Verfahren in der Regel innerhalb von 3 Monaten nach Eingang der vollständigen Unterlagen",
        processing_time_en: "Under the simplified procedure usually within 3 months of receipt of the complete documents",
        channels: &[Channel::Post, Channel::InPerson],
        online_url: None,
        address: "Työpajankatu 8",
        postcode: "00580",
        district: "Sörnäinen",
        lat: 60.1868,
        lng: 24.9655,
        hours: BUILDING_AUTHORITY_HOURS,
        tags: &[
            "baugenehmigung",
            "bauantrag",
            "bauen",
            "umbau",
            "bauaufsicht",
            "building-permit",
            "construction",
            "planning",
        ],
        related: &["business-registration"],
    },
    // ---------------------------------------------------------------- Gewerbeamt
    ServiceSeed {
        slug: "business-registration",
        department: "trade-office",
        category: "admin.permits",
        name_de: "Gewerbe anmelden",
        name_en: "Register a business",
        description_de: "Wer selbstständig ein Gewerbe betreibt, muss es bei Beginn der Tätigkeit beim Gewerbeamt anmelden – auch im Nebenerwerb oder im Online-Handel. Freie Berufe, etwa Ärztinnen, Rechtsanwälte oder Künstlerinnen, melden kein Gewerbe an. Das Gewerbeamt informiert nach der Anmeldung automatisch das Finanzamt, die Industrie- und Handelskammer bzw. Handwerkskammer und weitere Stellen. Für erlaubnispflichtige Tätigkeiten, z. B. als Makler, im Bewachungsgewerbe oder für Gaststätten mit Alkoholausschank, brauchen Sie zusätzlich eine Erlaubnis.",
        description_en: "Anyone who runs a trade or business on their own account must register it with the Trade Licensing Office when starting – including part-time businesses and online shops. Liberal professions such as doctors, lawyers or artists do not register a trade. After registration the office automatically informs the tax office, the Chamber of Commerce or Chamber of Crafts and other bodies. Activities that require a licence, e.g. estate agents, security services or bars serving alcohol, also need that licence.",
        eligibility_de: "Natürliche Personen sowie juristische Personen (z. B. GmbH, vertreten durch die Geschäftsführung), die in der Stadt einen Betrieb eröffnen. Staatsangehörige von Nicht-EU-Staaten benötigen einen Aufenthaltstitel, der die selbstständige Tätigkeit erlaubt.",
        eligibility_en: "Individuals and legal entities (e.g. a GmbH, represented by its managing directors) opening a business in the city. Non-EU nationals need a residence permit that allows self-employment.",
        what_to_bring_de: &[
            "Personalausweis oder Reisepass, bei Nicht-EU-Staatsangehörigen zusätzlich der Aufenthaltstitel",
            "Ausgefülltes Formular zur Gewerbeanmeldung",
            "Bei Eintragung im Handelsregister: aktueller Handelsregisterauszug",
            "Bei erlaubnispflichtigen Tätigkeiten die Erlaubnis, bei zulassungspflichtigem Handwerk die Handwerkskarte",
            "Bei Vertretung: schriftliche Vollmacht",
        ],
        what_to_bring_en: &[
            "ID card or passport; non-EU nationals also their residence permit",
            "Completed business registration form",
            "If entered in the commercial register: a current extract from the register",
            "For licensed activities the licence; for regulated crafts the craft card (Handwerkskarte)",
            "If someone registers on your behalf: written power of attorney",
        ],
        fees_de: "26,00 €",
        fees_en: "€26.00",
        processing_time_de: "Vor Ort sofort; online in der Regel innerhalb von 3 bis 5 Werktagen",
        processing_time_en: "Immediately at the office; online usually within 3 to 5 working days",
        channels: &[Channel::InPerson, Channel::Post],
        online_url: None,
        address: "Unioninkatu 28",
        postcode: "00170",
        district: "Kluuvi",
        lat: 60.1712,
        lng: 24.9501,
        hours: TRADE_OFFICE_HOURS,
        tags: &[
            "gewerbeanmeldung",
            "gewerbe",
            "gewerbeschein",
            "selbstständig",
            "gründung",
            "business",
            "business-registration",
            "self-employed",
            "start-up",
        ],
        related: &[
            "business-deregistration",
            "certificate-of-good-conduct",
            "building-permit",
        ],
    },
    ServiceSeed {
        slug: "business-deregistration",
        department: "trade-office",
        category: "admin.permits",
        name_de: "Gewerbe abmelden",
        name_en: "Deregister a business",
        description_de: "Wenn Sie Ihr Gewerbe aufgeben, müssen Sie es beim Gewerbeamt abmelden. Verlegen Sie den Betrieb in eine andere Gemeinde, melden Sie ihn hier ab und dort neu an. Das Gewerbeamt leitet die Abmeldung an das Finanzamt und die Kammern weiter; Ihre steuerlichen Pflichten, etwa die letzte Steuererklärung, bleiben davon unberührt.",
        description_en: "If you give up your business, you must deregister it with the Trade Licensing Office. If you move the business to another municipality, deregister it here and register it again there. The office forwards the deregistration to the tax office and the chambers; your tax obligations, such as the final tax return, are not affected.",
        eligibility_de: "Gewerbetreibende, die ihren Betrieb in der Stadt aufgeben oder verlegen, bzw. deren gesetzliche Vertretung.",
        eligibility_en: "Business owners who close or relocate their business in the city, or their legal representatives.",
        what_to_bring_de: &[
            "Personalausweis oder Reisepass",
            "Ausgefülltes Formular zur Gewerbeabmeldung",
            "Bei juristischen Personen: Handelsregisterauszug oder Vollmacht der Geschäftsführung",
        ],
        what_to_bring_en: &[
            "ID card or passport",
            "Completed business deregistration form",
            "For legal entities: extract from the commercial register or a power of attorney from the managing directors",
        ],
        fees_de: "15,00 €",
        fees_en: "€15.00",
        processing_time_de: "Vor Ort sofort; online oder per Post innerhalb weniger Werktage",
        processing_time_en: "Immediately at the office; within a few working days online or by post",
        channels: &[Channel::InPerson, Channel::Post],
        online_url: None,
        address: "Unioninkatu 28",
        postcode: "00170",
        district: "Kluuvi",
        lat: 60.1712,
        lng: 24.9501,
        hours: TRADE_OFFICE_HOURS,
        tags: &[
            "gewerbeabmeldung",
            "gewerbe",
            "betriebsaufgabe",
            "business",
            "deregistration",
            "closing",
        ],
        related: &["business-registration"],
    },
    // ----------------------------------------------------------- Stadtbibliothek
    ServiceSeed {
        slug: "library-card",
        department: "city-library",
        category: "admin.library",
        name_de: "Bibliotheksausweis beantragen",
        name_en: "Get a library card",
        description_de: "Mit dem Bibliotheksausweis leihen Sie Bücher, Filme, Spiele und Noten in allen Stadtteilbibliotheken aus und nutzen die digitalen Angebote wie E-Books, Hörbücher und Zeitungsdatenbanken auch von zu Hause. Sie können sich online vorregistrieren und den Ausweis bei Ihrem ersten Besuch abholen. Der Ausweis gilt ein Jahr und lässt sich an der Theke oder online verlängern.",
        description_en: "With a library card you can borrow books, films, games and sheet music at all branch libraries and use digital services such as e-books, audiobooks and newspaper databases from home. You can pre-register online and collect your card on your first visit. The card is valid for one year and can be renewed at the desk or online.",
        eligibility_de: "Alle Personen mit Wohnsitz in Deutschland. Kinder und Jugendliche unter 18 Jahren benötigen die Einwilligung einer erziehungsberechtigten Person.",
        eligibility_en: "Anyone living in Germany. Children and young people under 18 need the consent of a parent or guardian.",
        what_to_bring_de: &[
            "Personalausweis oder Reisepass mit Meldebescheinigung",
            "Für Kinder und Jugendliche: unterschriebene Einverständniserklärung der Erziehungsberechtigten",
            "Für die Ermäßigung: Nachweis, z. B. Schüler- oder Studierendenausweis, Bürgergeld- oder Wohngeldbescheid",
        ],
        what_to_bring_en: &[
            "ID card, or passport with certificate of registration",
            "For children and young people: consent form signed by a parent or guardian",
            "For the reduced fee: proof, e.g. pupil or student card, citizen's income or housing benefit notice",
        ],
        fees_de: "Erwachsene 20,00 € pro Jahr; ermäßigt 10,00 €; Kinder und Jugendliche unter 18 Jahren kostenlos; Ersatzausweis 5,00 €",
        fees_en: "Adults €20.00 per year; reduced rate €10.00; children and young people under 18 free of charge; replacement card €5.00",
        processing_time_de: "Sofort",
        processing_time_en: "Immediately",
        channels: &[Channel::InPerson],
        online_url: None,
        address: "Töölönlahdenkatu 4",
        postcode: "00100",
        district: "Kluuvi",
        lat: 60.1738,
        lng: 24.9381,
        hours: LIBRARY_HOURS,
        tags: &[
            "bibliothek",
            "bibliotheksausweis",
            "bücherei",
            "ausleihe",
            "e-books",
            "library",
            "library-card",
            "books",
        ],
        related: &["residence-certificate", "housing-benefit"],
    },
    // ------------------------------------------ Amt für Jugend, Familie und Soziales
    ServiceSeed {
        slug: "childcare-place",
        department: "youth-social-office",
        category: "admin.childcare",
        name_de: "Kita-Platz beantragen",
        name_en: "Apply for a childcare place",
        description_de: "Kinder haben vom vollendeten ersten Lebensjahr bis zum Schuleintritt einen Rechtsanspruch auf einen Platz in einer Kindertageseinrichtung oder in der Kindertagespflege. Über das Kita-Portal der Stadt können Sie Ihr Kind bei bis zu fünf Wunscheinrichtungen vormerken lassen. Melden Sie Ihren Bedarf bitte spätestens sechs Monate vor dem gewünschten Betreuungsbeginn an; die meisten Plätze werden zum Beginn des Kita-Jahres im August vergeben. Finden Sie keinen passenden Platz, hilft Ihnen die Kita-Beratung des Jugendamts.",
        description_en: "From their first birthday until they start school, children are legally entitled to a place in a day-care centre or with a childminder. Through the city's childcare portal you can put your child on the list of up to five preferred centres. Please register your need at least six months before the desired start; most places are allocated for the start of the childcare year in August. If you cannot find a suitable place, the youth office's childcare advice service will help you.",
        eligibility_de: "Eltern bzw. Sorgeberechtigte mit Hauptwohnsitz in der Stadt für Kinder bis zum Schuleintritt. Kinder unter einem Jahr erhalten einen Platz unter anderem dann, wenn die Eltern berufstätig sind, eine Ausbildung machen oder Arbeit suchen.",
        eligibility_en: "Parents or guardians whose main residence is in the city, for children up to school age. Children under one are given a place if, among other reasons, their parents are working, in training or looking for work.",
        what_to_bring_de: &[
            "Geburtsurkunde oder Ausweis des Kindes",
            "Meldebescheinigung oder ein anderer Nachweis des Wohnsitzes",
            "Bei Bedarf an längeren Betreuungszeiten: Bescheinigung des Arbeitgebers oder der Ausbildungsstelle",
            "Einkommensnachweise für die Berechnung des Elternbeitrags",
        ],
        what_to_bring_en: &[
            "The child's birth certificate or ID",
            "Certificate of registration or other proof of residence",
            "If you need longer care hours: confirmation from your employer or place of training",
            "Proof of income for calculating the parental contribution",
        ],
        fees_de: "Antrag gebührenfrei. Der monatliche Elternbeitrag richtet sich nach Einkommen, Betreuungsumfang und Alter des Kindes; für Geschwister gibt es Ermäßigungen.",
        fees_en: "The application is free of charge. The monthly parental contribution depends on income, hours of care and the child's age; reductions are available for siblings.",
        processing_time_de: "Zusagen für das neue Kita-Jahr in der Regel ab März; unterjährig je nach freien Plätzen",
        processing_time_en: "Offers for the new childcare year usually from March; during the year depending on available places",
        channels: &[Channel::InPerson, Channel::Phone],
        online_url: None,
        address: "Toinen linja 4",
        postcode: "00530",
        district: "Kallio",
        lat: 60.1812,
        lng: 24.9460,
        hours: YOUTH_SOCIAL_OFFICE_HOURS,
        tags: &[
            "kita",
            "kitaplatz",
            "kindergarten",
            "krippe",
            "kindertagespflege",
            "betreuung",
            "childcare",
            "daycare",
            "nursery",
        ],
        related: &["birth-certificate", "housing-benefit"],
    },
    ServiceSeed {
        slug: "housing-benefit",
        department: "youth-social-office",
        category: "admin.social",
        name_de: "Wohngeld beantragen",
        name_en: "Apply for housing benefit",
        description_de: "Wohngeld ist ein Zuschuss zu den Wohnkosten für Haushalte mit geringem Einkommen – als Mietzuschuss für Mieterinnen und Mieter oder als Lastenzuschuss für Eigentümer, die selbst in ihrer Wohnung leben. Die Höhe hängt von der Zahl der Haushaltsmitglieder, dem Gesamteinkommen und der Miete bzw. Belastung ab. Wohngeld wird ab dem Monat gezahlt, in dem der Antrag eingeht; stellen Sie ihn daher frühzeitig, auch wenn noch Unterlagen fehlen. Bewilligt wird in der Regel für zwölf Monate, danach ist ein Weiterleistungsantrag nötig.",
        description_en: "Housing benefit is a subsidy towards housing costs for low-income households – as a rent subsidy for tenants or as a subsidy for owners who live in their own home. The amount depends on the number of household members, total income and the rent or housing costs. Housing benefit is paid from the month in which your application is received, so apply early even if some documents are still missing. It is usually granted for twelve months; after that you need to submit a renewal application.",
        eligibility_de: "Mieterinnen, Mieter und selbst nutzende Eigentümer mit Hauptwohnsitz in der Stadt, deren Einkommen die Einkommensgrenzen nicht übersteigt. Wer Bürgergeld, Sozialhilfe oder Grundsicherung einschließlich der Wohnkosten bezieht, erhält kein Wohngeld.",
        eligibility_en: "Tenants and owner-occupiers whose main residence is in the city and whose income does not exceed the income limits. People receiving citizen's income, social assistance or basic income support that covers housing costs are not eligible.",
        what_to_bring_de: &[
            "Personalausweis oder Reisepass",
            "Mietvertrag und aktuelle Mietbescheinigung des Vermieters",
            "Einkommensnachweise aller Haushaltsmitglieder der letzten zwölf Monate (z. B. Gehaltsabrechnungen, Rentenbescheid)",
            "Nachweise über Kindergeld, Unterhalt oder andere Leistungen",
            "Kontoverbindung (IBAN)",
        ],
        what_to_bring_en: &[
            "ID card or passport",
            "Tenancy agreement and a current rent confirmation from your landlord",
            "Proof of income for all household members for the last twelve months (e.g. payslips, pension notice)",
            "Proof of child benefit, maintenance or other benefits",
            "Bank details (IBAN)",
        ],
        fees_de: "Gebührenfrei",
        fees_en: "Free of charge",
        processing_time_de: "In der Regel 6 bis 10 Wochen nach Eingang der vollständigen Unterlagen",
        processing_time_en: "Usually 6 to 10 weeks after all documents have been received",
        channels: &[Channel::Post, Channel::InPerson],
        online_url: None,
        address: "Toinen linja 4",
        postcode: "00530",
        district: "Kallio",
        lat: 60.1812,
        lng: 24.9460,
        hours: YOUTH_SOCIAL_OFFICE_HOURS,
        tags: &[
            "wohngeld",
            "mietzuschuss",
            "lastenzuschuss",
            "miete",
            "zuschuss",
            "housing-benefit",
            "rent",
            "subsidy",
        ],
        related: &["childcare-place", "library-card"],
    },
    // ---------------------------------------------------------- Ausländerbehörde
    ServiceSeed {
        slug: "residence-permit",
        department: "foreigners-office",
        category: "admin.immigration",
        name_de: "Aufenthaltstitel beantragen oder verlängern",
        name_en: "Apply for or extend a residence permit",
        description_de: "Staatsangehörige von Staaten außerhalb der EU, des EWR und der Schweiz benötigen für einen längeren Aufenthalt in Deutschland einen Aufenthaltstitel, etwa zum Arbeiten, Studieren oder für den Familiennachzug. Stellen Sie den Antrag auf Erteilung oder Verlängerung rechtzeitig vor Ablauf Ihres Visums oder Titels, am besten sechs bis acht Wochen vorher über das Online-Formular. Bei rechtzeitigem Antrag bleibt Ihr Aufenthalt bis zur Entscheidung in der Regel erlaubt; auf Wunsch erhalten Sie darüber eine Fiktionsbescheinigung. Für Fingerabdrücke und Unterschrift auf der Karte (eAT) kommen Sie persönlich zu einem Termin.",
        description_en: "Nationals of countries outside the EU, the EEA and Switzerland need a residence permit for a longer stay in Germany, for example to work, study or join family. Apply for a new permit or an extension in good time before your visa or permit expires, ideally six to eight weeks beforehand using the online form. If you apply in time, your stay generally remains lawful until a decision is made; on request you receive a certificate confirming this (Fiktionsbescheinigung). You come to an appointment in person to give your fingerprints and signature for the permit card (eAT).",
        eligibility_de: "Staatsangehörige von Nicht-EU-Staaten mit Wohnsitz in der Stadt. Für Familienangehörige von EU-Bürgerinnen und -Bürgern gelten besondere Regeln.",
        eligibility_en: "Non-EU nationals living in the city. Special rules apply to family members of EU citizens.",
        what_to_bring_de: &[
            "Gültiger Reisepass",
            "Aktuelles biometrisches Lichtbild",
            "Bisheriger Aufenthaltstitel bzw. Visum",
            "Nachweis der Krankenversicherung",
            "Nachweise zum Lebensunterhalt, z. B. Arbeitsvertrag und die letzten drei Gehaltsabrechnungen",
            "Mietvertrag oder Wohnungsgeberbestätigung",
            "Je nach Aufenthaltszweck weitere Unterlagen, z. B. Immatrikulationsbescheinigung oder Heiratsurkunde",
        ],
        what_to_bring_en: &[
            "Valid passport",
            "Recent biometric photo",
            "Your current residence permit or visa",
            "Proof of health insurance",
            "Proof of sufficient means, e.g. employment contract and your last three payslips",
            "Tenancy agreement or landlord's confirmation",
            "Further documents depending on the purpose of stay, e.g. certificate of enrolment or marriage certificate",
        ],
        fees_de: "Erteilung einer Aufenthaltserlaubnis 100,00 €; Verlängerung 93,00 € bis 96,00 €; Niederlassungserlaubnis 113,00 € bis 147,00 €; Fiktionsbescheinigung 13,00 €; Ermäßigungen u. a. für Minderjährige",
        fees_en: "Issue of a residence permit €100.00; extension €93.00 to €96.00; settlement permit €113.00 to €147.00; certificate of continued validity €13.00; reductions for minors, among others",
        processing_time_de: "Termin nach Eingang des vollständigen Online-Antrags; die Herstellung der Karte dauert etwa 4 bis 6 Wochen",
        processing_time_en: "Appointment after receipt of the complete online application; producing the card takes about 4 to 6 weeks",
        channels: &[Channel::InPerson, Channel::Email],
        online_url: None,
        address: "Hakaniemenranta 6",
        postcode: "00530",
        district: "Hakaniemi",
        lat: 60.1788,
        lng: 24.9535,
        hours: FOREIGNERS_OFFICE_HOURS,
        tags: &[
            "aufenthaltstitel",
            "aufenthaltserlaubnis",
            "niederlassungserlaubnis",
            "visum",
            "blaue-karte",
            "residence-permit",
            "visa",
            "immigration",
            "blue-card",
        ],
        related: &["register-residence", "business-registration"],
    },
    // ----------------------------------------- Amt für Straßen und Stadtreinigung
    ServiceSeed {
        slug: "report-street-defect",
        department: "public-works",
        category: "admin.public-works",
        name_de: "Mängelmelder: Schäden im Straßenraum melden",
        name_en: "Report a street defect",
        description_de: "Über den Mängelmelder melden Sie rund um die Uhr Schlaglöcher, defekte Straßenlaternen, beschädigte Gehwege, Verkehrsschilder oder Spielgeräte sowie illegal abgelagerten Müll. Markieren Sie den Ort auf der Karte, beschreiben Sie das Problem kurz und fügen Sie nach Möglichkeit ein Foto hinzu; den Bearbeitungsstand können Sie online verfolgen. Bei akuter Gefahr, etwa einem offenen Schacht oder einem umgestürzten Baum auf der Fahrbahn, rufen Sie bitte sofort die Polizei unter 110 an.",
        description_en: "Use the defect reporter to report potholes, broken street lights, damaged pavements, traffic signs or playground equipment and illegally dumped rubbish, around the clock. Mark the location on the map, describe the problem briefly and add a photo if possible; you can follow the progress of your report online. In case of acute danger, such as an open manhole or a fallen tree on the road, please call the police immediately on 110.",
        eligibility_de: "Alle; eine Registrierung ist nicht erforderlich, Meldungen sind auch anonym möglich.",
        eligibility_en: "Everyone; no registration is required and reports can be made anonymously.",
        what_to_bring_de: &[
            "Genauer Ort (Adresse oder Punkt auf der Karte)",
            "Kurze Beschreibung des Mangels",
            "Foto (optional)",
            "E-Mail-Adresse, wenn Sie über den Bearbeitungsstand informiert werden möchten (optional)",
        ],
        what_to_bring_en: &[
            "Exact location (address or point on the map)",
            "Short description of the defect",
            "Photo (optional)",
            "E-mail address if you would like updates on your report (optional)",
        ],
        fees_de: "Kostenlos",
        fees_en: "Free of charge",
        processing_time_de: "Eingangsbestätigung sofort; Gefahrenstellen werden in der Regel innerhalb von 24 Stunden gesichert, andere Mängel je nach Dringlichkeit innerhalb von Tagen bis Wochen behoben",
        processing_time_en: "Immediate confirmation of receipt; hazards are usually made safe within 24 hours, other defects are repaired within days to weeks depending on urgency",
        channels: &[Channel::Phone, Channel::Email],
        online_url: None,
        address: "Sörnäisten rantatie 25",
        postcode: "00500",
        district: "Sörnäinen",
        lat: 60.1838,
        lng: 24.9682,
        hours: PUBLIC_WORKS_HOURS,
        tags: &[
            "mängelmelder",
            "schlagloch",
            "straßenlaterne",
            "gehweg",
            "müll",
            "schaden",
            "pothole",
            "street-light",
            "report",
            "defect",
        ],
        related: &["bulky-waste-collection"],
    },
    ServiceSeed {
        slug: "bulky-waste-collection",
        department: "public-works",
        category: "admin.public-works",
        name_de: "Sperrmüllabholung anmelden",
        name_en: "Book a bulky waste collection",
        description_de: "Sperrige Gegenstände aus dem Haushalt, die nicht in die Restmülltonne passen – etwa Möbel, Matratzen oder Teppiche –, holen wir nach Terminvereinbarung an Ihrer Adresse ab. Stellen Sie den Sperrmüll frühestens am Vorabend des Abholtermins an den Straßenrand, ohne Gehweg oder Fahrbahn zu versperren. Elektrogeräte, Bauschutt, Autoreifen und Schadstoffe gehören nicht in den Sperrmüll; Sie können sie auf dem Recyclinghof abgeben.",
        description_en: "We collect bulky household items that do not fit in the residual waste bin – such as furniture, mattresses or carpets – from your address by appointment. Put the items out at the kerb no earlier than the evening before the collection date, without blocking the pavement or the road. Electrical appliances, rubble, car tyres and hazardous waste are not bulky waste; you can take them to the recycling centre.",
        eligibility_de: "Private Haushalte in der Stadt, die an die städtische Abfallentsorgung angeschlossen sind – Mieterinnen und Mieter ebenso wie Eigentümer.",
        eligibility_en: "Private households in the city that use the municipal waste collection – tenants as well as owners.",
        what_to_bring_de: &[
            "Liste der Gegenstände mit geschätzter Menge in Kubikmetern",
            "Abholadresse und Telefonnummer für Rückfragen",
            "Wunschzeitraum für die Abholung",
        ],
        what_to_bring_en: &[
            "List of items with an estimated volume in cubic metres",
            "Collection address and a phone number for queries",
            "Preferred period for the collection",
        ],
        fees_de: "Zwei Abholungen je Haushalt und Kalenderjahr bis je 3 m³ sind in der Abfallgebühr enthalten; jede weitere Abholung 50,00 €",
        fees_en: "Two collections per household and calendar year of up to 3 m³ each are included in the waste fee; each additional collection €50.00",
        processing_time_de: "Abholtermin in der Regel innerhalb von 2 bis 3 Wochen",
        processing_time_en: "Collection usually within 2 to 3 weeks",
        channels: &[Channel::Phone, Channel::Email],
        online_url: None,
        address: "Sörnäisten rantatie 25",
        postcode: "00500",
        district: "Sörnäinen",
        lat: 60.1838,
        lng: 24.9682,
        hours: PUBLIC_WORKS_HOURS,
        tags: &[
            "sperrmüll",
            "abfall",
            "möbel",
            "entrümpelung",
            "abholung",
            "bulky-waste",
            "waste",
            "furniture",
            "collection",
        ],
        related: &["report-street-defect", "register-residence"],
    },
];

/// An appointment the city's offices offer for one of [`SERVICES`]: residents book it
/// on the portal (a native offer of the service's listing, in the office's opening
/// hours, closed on public holidays). What to bring comes from the service.
#[derive(Debug, Clone, Copy)]
pub struct AppointmentSeed {
    /// A [`ServiceSeed`] slug.
    pub service: &'static str,
    /// Length of one appointment (minutes).
    pub minutes: u32,
    /// Counters serving at the same time.
    pub counters: u32,
    /// The fee as display text.
    pub price_de: &'static str,
    pub price_en: &'static str,
}

const fn appt(
    service: &'static str,
    minutes: u32,
    counters: u32,
    price_de: &'static str,
    price_en: &'static str,
) -> AppointmentSeed {
    AppointmentSeed {
        service,
        minutes,
        counters,
        price_de,
        price_en,
    }
}

pub const APPOINTMENTS: &[AppointmentSeed] = &[
    appt("register-residence", 15, 6, "kostenlos", "free of charge"),
    appt(
        "residence-certificate",
        10,
        4,
        "5,00 € (erweitert 10,00 €)",
        "€5.00 (extended €10.00)",
    ),
    appt(
        "identity-card",
        20,
        6,
        "46,00 € (unter 24 Jahren 27,60 €)",
        "€46.00 (under 24: €27.60)",
    ),
    appt(
        "passport",
        20,
        6,
        "70,00 € (unter 24 Jahren 37,50 €)",
        "€70.00 (under 24: €37.50)",
    ),
    appt("certificate-of-good-conduct", 10, 4, "13,00 €", "€13.00"),
    appt(
        "dog-licence",
        15,
        2,
        "Anmeldung kostenlos",
        "registration free of charge",
    ),
    appt("driving-licence-exchange", 20, 3, "25,30 €", "€25.30"),
    appt(
        "residents-parking-permit",
        15,
        3,
        "60,00 € pro Jahr",
        "€60.00 a year",
    ),
    appt(
        "marriage-registration",
        30,
        2,
        "40,00 € (mit Auslandsbezug 70,00 €)",
        "€40.00 (with a foreign element: €70.00)",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const CATEGORIES: &[&str] = &[
        "admin.citizens-office",
        "admin.registry-office",
        "admin.permits",
        "admin.library",
        "admin.childcare",
        "admin.social",
        "admin.public-works",
        "admin.immigration",
        "admin.transport",
    ];

    fn well_formed_slug(s: &str) -> bool {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--")
    }

    fn well_formed_time(t: &str) -> bool {
        let b = t.as_bytes();
        if b.len() != 5 || b[2] != b':' {
            return false;
        }
        let digits = [b[0], b[1], b[3], b[4]];
        if !digits.iter().all(u8::is_ascii_digit) {
            return false;
        }
        let hours = (b[0] - b'0') * 10 + (b[1] - b'0');
        let minutes = (b[3] - b'0') * 10 + (b[4] - b'0');
        hours < 24 && minutes < 60
    }

    #[test]
    fn enough_services() {
        assert!(SERVICES.len() >= 18, "only {} services", SERVICES.len());
    }

    #[test]
    fn departments_are_well_formed_and_unique() {
        assert!((6..=9).contains(&DEPARTMENTS.len()));
        let mut seen = HashSet::new();
        for d in DEPARTMENTS {
            assert!(well_formed_slug(d.slug), "bad department slug {}", d.slug);
            assert!(seen.insert(d.slug), "duplicate department slug {}", d.slug);
            assert!(!d.name_de.trim().is_empty(), "{}", d.slug);
            assert!(!d.name_en.trim().is_empty(), "{}", d.slug);
            assert!(d.email.contains('@'), "{}", d.slug);
            assert!(d.phone.starts_with('+'), "{}", d.slug);
        }
        for d in DEPARTMENTS {
            assert!(
                SERVICES.iter().any(|s| s.department == d.slug),
                "department {} owns no service",
                d.slug
            );
        }
    }

    #[test]
    fn service_slugs_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for s in SERVICES {
            assert!(well_formed_slug(s.slug), "bad service slug {}", s.slug);
            assert!(seen.insert(s.slug), "duplicate service slug {}", s.slug);
        }
    }

    #[test]
    fn references_exist() {
        let departments: HashSet<_> = DEPARTMENTS.iter().map(|d| d.slug).collect();
        let services: HashSet<_> = SERVICES.iter().map(|s| s.slug).collect();
        for s in SERVICES {
            assert!(
                departments.contains(s.department),
                "{}: unknown department {}",
                s.slug,
                s.department
            );
            assert!(
                CATEGORIES.contains(&s.category),
                "{}: unknown category {}",
                s.slug,
                s.category
            );
            let mut related = HashSet::new();
            for r in s.related {
                assert!(services.contains(r), "{}: unknown related {}", s.slug, r);
                assert_ne!(*r, s.slug, "{} relates to itself", s.slug);
                assert!(related.insert(r), "{}: related {} twice", s.slug, r);
            }
        }
    }

    #[test]
    fn texts_are_present_in_both_languages() {
        for s in SERVICES {
            for (field, text) in [
                ("name_de", s.name_de),
                ("name_en", s.name_en),
                ("description_de", s.description_de),
                ("description_en", s.description_en),
                ("eligibility_de", s.eligibility_de),
                ("eligibility_en", s.eligibility_en),
                ("fees_de", s.fees_de),
                ("fees_en", s.fees_en),
                ("processing_time_de", s.processing_time_de),
                ("processing_time_en", s.processing_time_en),
                ("address", s.address),
                ("postcode", s.postcode),
                ("district", s.district),
            ] {
                assert!(!text.trim().is_empty(), "{}: empty {}", s.slug, field);
                assert_eq!(text, text.trim(), "{}: untrimmed {}", s.slug, field);
            }
            assert!(
                !s.what_to_bring_de.is_empty(),
                "{}: nothing to bring",
                s.slug
            );
            assert_eq!(
                s.what_to_bring_de.len(),
                s.what_to_bring_en.len(),
                "{}: what_to_bring lists differ in length",
                s.slug
            );
            for item in s.what_to_bring_de.iter().chain(s.what_to_bring_en) {
                assert!(!item.trim().is_empty(), "{}: empty item", s.slug);
            }
        }
    }

    #[test]
    fn fees_use_language_specific_money_format() {
        // German amounts are written "12,00 €", English ones "€12.00".
        fn euro_before_digit(t: &str) -> bool {
            t.contains('€')
                && t.split('€')
                    .skip(1)
                    .any(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        }
        fn digit_before_euro(t: &str) -> bool {
            t.split(" €")
                .take(t.matches(" €").count())
                .any(|before| before.ends_with(|c: char| c.is_ascii_digit()))
        }
        for s in SERVICES {
            assert!(!euro_before_digit(s.fees_de), "{}: fees_de", s.slug);
            assert!(!digit_before_euro(s.fees_en), "{}: fees_en", s.slug);
            assert!(!s.fees_en.contains(",00"), "{}: fees_en", s.slug);
            assert!(!s.fees_de.contains(".00"), "{}: fees_de", s.slug);
        }
    }

    #[test]
    fn tags_are_lowercase_and_unique() {
        for s in SERVICES {
            assert!(!s.tags.is_empty(), "{}: no tags", s.slug);
            let mut seen = HashSet::new();
            for t in s.tags {
                assert!(!t.is_empty(), "{}: empty tag", s.slug);
                assert_eq!(*t, t.to_lowercase(), "{}: tag {} not lowercase", s.slug, t);
                assert!(!t.contains(' '), "{}: tag {} contains a space", s.slug, t);
                assert!(seen.insert(t), "{}: tag {} twice", s.slug, t);
            }
        }
    }

    #[test]
    fn coordinates_are_in_central_helsinki() {
        for s in SERVICES {
            assert!(
                (60.15..=60.19).contains(&s.lat),
                "{}: lat {}",
                s.slug,
                s.lat
            );
            assert!(
                (24.90..=24.98).contains(&s.lng),
                "{}: lng {}",
                s.slug,
                s.lng
            );
            assert!(
                s.postcode.len() == 5 && s.postcode.bytes().all(|b| b.is_ascii_digit()),
                "{}: postcode {}",
                s.slug,
                s.postcode
            );
        }
    }

    #[test]
    fn hours_are_valid() {
        for s in SERVICES {
            let mut days = HashSet::new();
            for h in s.hours {
                assert!(h.weekday <= 6, "{}: weekday {}", s.slug, h.weekday);
                assert!(well_formed_time(h.opens), "{}: opens {}", s.slug, h.opens);
                assert!(
                    well_formed_time(h.closes),
                    "{}: closes {}",
                    s.slug,
                    h.closes
                );
                // Zero-padded "HH:MM" compares correctly as text.
                assert!(
                    h.opens < h.closes,
                    "{}: {} >= {}",
                    s.slug,
                    h.opens,
                    h.closes
                );
                assert!(
                    days.insert(h.weekday),
                    "{}: weekday {} twice",
                    s.slug,
                    h.weekday
                );
            }
            let online_only = s.channels == [Channel::Online];
            assert_eq!(
                s.hours.is_empty(),
                online_only,
                "{}: only online-only services have no hours",
                s.slug
            );
        }
    }

    #[test]
    fn channels_and_urls_are_consistent() {
        for s in SERVICES {
            assert!(!s.channels.is_empty(), "{}: no channels", s.slug);
            let mut seen = HashSet::new();
            for c in s.channels {
                assert!(seen.insert(c.as_str()), "{}: channel twice", s.slug);
            }
            if let Some(url) = s.online_url {
                assert!(url.starts_with("https://"), "{}: {}", s.slug, url);
                assert!(
                    url.starts_with("https://city.example/"),
                    "{}: {}",
                    s.slug,
                    url
                );
            }
            assert_eq!(
                s.online_url.is_some(),
                s.channels.contains(&Channel::Online),
                "{}: online_url must be set exactly when the service is online",
                s.slug
            );
        }
    }

    #[test]
    fn appointments_name_in_person_services() {
        let mut seen = HashSet::new();
        assert!(APPOINTMENTS.len() >= 8);
        for a in APPOINTMENTS {
            assert!(seen.insert(a.service), "{} twice", a.service);
            let s = SERVICES
                .iter()
                .find(|s| s.slug == a.service)
                .unwrap_or_else(|| panic!("{}: no such service", a.service));
            assert!(s.channels.contains(&Channel::InPerson), "{}", a.service);
            assert!(!s.hours.is_empty(), "{}", a.service);
            assert!((10..=30).contains(&a.minutes), "{}", a.service);
            assert!(a.counters >= 2, "{}", a.service);
            assert!(!a.price_de.contains(".00") && !a.price_en.contains(",00"));
        }
    }

    #[test]
    fn channel_names() {
        let all = [
            Channel::InPerson,
            Channel::Online,
            Channel::Post,
            Channel::Phone,
            Channel::Email,
        ];
        let names: Vec<_> = all.iter().map(|c| c.as_str()).collect();
        assert_eq!(names, ["in_person", "online", "post", "phone", "email"]);
    }

    #[test]
    fn required_services_are_present() {
        for slug in [
            "register-residence",
            "identity-card",
            "passport",
            "driving-licence-exchange",
            "residents-parking-permit",
            "birth-certificate",
            "marriage-registration",
            "dog-licence",
            "building-permit",
            "business-registration",
            "library-card",
            "childcare-place",
            "residence-permit",
            "certificate-of-good-conduct",
            "report-street-defect",
            "deregister-residence",
            "bulky-waste-collection",
            "housing-benefit",
        ] {
            assert!(SERVICES.iter().any(|s| s.slug == slug), "missing {slug}");
        }
    }
}
