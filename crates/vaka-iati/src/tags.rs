//! Element names the reader acts on, as an enum so matching on them is cheap
//! and typo-proof. Names the extractor does not use map to [`Tag::Other`]; the
//! schema check still sees their real names.

use crate::fxhash::FxMap;

macro_rules! tags {
    ($($variant:ident = $name:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub(crate) enum Tag {
            $($variant,)*
            Other,
        }

        impl Tag {
            /// Number of variants, `Other` included (for tag-indexed tables).
            pub(crate) const COUNT: usize = [$(stringify!($variant),)*].len() + 1;

            /// The tag for an element name (one hash lookup).
            pub(crate) fn of(name: &str) -> Tag {
                static TABLE: std::sync::OnceLock<FxMap<&'static str, Tag>> = std::sync::OnceLock::new();
                let table = TABLE.get_or_init(|| [$(($name, Tag::$variant),)*].into_iter().collect());
                table.get(name).copied().unwrap_or(Tag::Other)
            }
        }
    };
}

tags! {
    IatiActivities = "iati-activities",
    IatiActivity = "iati-activity",
    IatiOrganisations = "iati-organisations",
    IatiOrganisation = "iati-organisation",
    Result = "result",
    IatiIdentifier = "iati-identifier",
    ReportingOrg = "reporting-org",
    ParticipatingOrg = "participating-org",
    Title = "title",
    Description = "description",
    Narrative = "narrative",
    ActivityStatus = "activity-status",
    ActivityDate = "activity-date",
    ContactInfo = "contact-info",
    Organisation = "organisation",
    Department = "department",
    PersonName = "person-name",
    JobTitle = "job-title",
    Telephone = "telephone",
    Email = "email",
    Website = "website",
    MailingAddress = "mailing-address",
    ActivityScope = "activity-scope",
    RecipientCountry = "recipient-country",
    RecipientRegion = "recipient-region",
    Location = "location",
    LocationReach = "location-reach",
    LocationId = "location-id",
    Name = "name",
    ActivityDescription = "activity-description",
    Administrative = "administrative",
    Point = "point",
    Pos = "pos",
    Exactness = "exactness",
    LocationClass = "location-class",
    FeatureDesignation = "feature-designation",
    Coordinates = "coordinates",
    Sector = "sector",
    // `<tag>`: named so the variant does not repeat the enum name.
    Keyword = "tag",
    PolicyMarker = "policy-marker",
    CollaborationType = "collaboration-type",
    DefaultFlowType = "default-flow-type",
    DefaultFinanceType = "default-finance-type",
    DefaultAidType = "default-aid-type",
    DefaultTiedStatus = "default-tied-status",
    CountryBudgetItems = "country-budget-items",
    BudgetItem = "budget-item",
    HumanitarianScope = "humanitarian-scope",
    Budget = "budget",
    PeriodStart = "period-start",
    PeriodEnd = "period-end",
    Value = "value",
    PlannedDisbursement = "planned-disbursement",
    ProviderOrg = "provider-org",
    ReceiverOrg = "receiver-org",
    Transaction = "transaction",
    TransactionType = "transaction-type",
    TransactionDate = "transaction-date",
    DisbursementChannel = "disbursement-channel",
    FlowType = "flow-type",
    FinanceType = "finance-type",
    AidType = "aid-type",
    TiedStatus = "tied-status",
    DocumentLink = "document-link",
    Category = "category",
    Language = "language",
    DocumentDate = "document-date",
    RelatedActivity = "related-activity",
    Conditions = "conditions",
    Condition = "condition",
    Indicator = "indicator",
    Baseline = "baseline",
    Period = "period",
    Target = "target",
    Actual = "actual",
    Comment = "comment",
}
