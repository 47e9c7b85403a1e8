//! UI strings in English and Japanese (French prepared: untranslated keys fall
//! back to English). Narratives from the data are not translated here; pages
//! pick the narrative in the chosen language when the data has it.
//!
//! The language comes from `?lang=` (which also sets the `vaka_lang` cookie),
//! else the cookie, else English.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Ja,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ja, Lang::Fr];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
            Lang::Fr => "fr",
        }
    }

    /// The language's own name, for the switch.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ja => "日本語",
            Lang::Fr => "Français",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(s.trim()))
    }

    /// The UI string for `key` (English when this language lacks it; the key
    /// itself when no language has it, so a missing entry is visible, not blank).
    pub fn t(self, key: &str) -> &'static str {
        let Some(row) = STRINGS.iter().find(|r| r.0 == key) else {
            tracing::debug!(key, "missing UI string");
            return "?";
        };
        let s = match self {
            Lang::En => row.1,
            Lang::Ja => row.2,
            Lang::Fr => row.3,
        };
        if s.is_empty() { row.1 } else { s }
    }
}

/// The cookie remembering the language.
pub const LANG_COOKIE: &str = "vaka_lang";

/// Language of a request: `?lang=`, else the cookie, else English.
pub fn from_parts(parts: &Parts) -> Lang {
    if let Some(q) = parts.uri.query()
        && let Some(l) = url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::parse(&v))
    {
        return l;
    }
    crate::auth::cookie(&parts.headers, LANG_COOKIE)
        .and_then(|v| Lang::parse(&v))
        .unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(from_parts(parts))
    }
}

/// (key, English, Japanese, French). French is prepared: empty means "not yet
/// translated", shown in English.
const STRINGS: &[(&str, &str, &str, &str)] = &[
    ("app.title", "Vaka", "Vaka", "Vaka"),
    (
        "app.tagline",
        "Development cooperation in the Pacific",
        "太平洋における開発協力",
        "Coopération pour le développement dans le Pacifique",
    ),
    (
        "nav.dashboard",
        "Dashboard",
        "ダッシュボード",
        "Tableau de bord",
    ),
    ("nav.activities", "Activities", "案件", "Activités"),
    ("nav.search", "Search", "検索", "Recherche"),
    ("nav.import", "Import", "取り込み", "Importer"),
    ("nav.login", "Sign in", "ログイン", "Se connecter"),
    ("nav.logout", "Sign out", "ログアウト", "Se déconnecter"),
    ("nav.language", "Language", "言語", "Langue"),
    (
        "dash.matrix",
        "Coverage matrix",
        "カバレッジ表",
        "Matrice de couverture",
    ),
    ("dash.map", "Map", "地図", "Carte"),
    ("dash.partners", "Partners", "パートナー", "Partenaires"),
    ("dash.frameworks", "Frameworks", "枠組み", "Cadres"),
    (
        "dash.focus",
        "Focus countries",
        "重点国",
        "Pays prioritaires",
    ),
    (
        "dash.nodata",
        "No data for this selection.",
        "この条件に該当するデータはありません。",
        "",
    ),
    ("form.currency", "Currency", "通貨", "Devise"),
    ("form.from", "From year", "開始年", "De l'année"),
    ("form.to", "To year", "終了年", "À l'année"),
    ("form.measure", "Measure", "指標", "Mesure"),
    ("form.apply", "Apply", "適用", "Appliquer"),
    (
        "measure.disbursements",
        "Disbursements",
        "支出額",
        "Décaissements",
    ),
    (
        "measure.commitments",
        "Commitments",
        "約束額",
        "Engagements",
    ),
    ("measure.budgets", "Budgets", "予算", "Budgets"),
    (
        "measure.activities",
        "Activities (count)",
        "案件数",
        "Activités (nombre)",
    ),
    ("matrix.country", "Country", "国", "Pays"),
    ("matrix.total", "Total", "合計", "Total"),
    (
        "matrix.unclassified",
        "Unclassified",
        "未分類",
        "Non classé",
    ),
    (
        "matrix.unconverted",
        "Not converted (no exchange rate)",
        "換算不可（為替レートなし）",
        "",
    ),
    ("download", "Download", "ダウンロード", "Télécharger"),
    ("login.title", "Sign in", "ログイン", "Connexion"),
    (
        "login.username",
        "User name",
        "ユーザー名",
        "Nom d'utilisateur",
    ),
    ("login.password", "Password", "パスワード", "Mot de passe"),
    ("login.submit", "Sign in", "ログイン", "Se connecter"),
    (
        "login.failed",
        "Wrong user name or password.",
        "ユーザー名またはパスワードが正しくありません。",
        "",
    ),
    (
        "login.limited",
        "Too many failed sign-ins for this user from your address. Wait 15 minutes and try again.",
        "ログインの失敗が多すぎます。15分待ってから再度お試しください。",
        "",
    ),
    (
        "login.as",
        "Signed in as",
        "ログイン中",
        "Connecté en tant que",
    ),
    (
        "import.title",
        "Import IATI data",
        "IATIデータの取り込み",
        "Importer des données IATI",
    ),
    (
        "import.help",
        "Upload an IATI activity file (.xml or .xml.gz).",
        "IATI案件ファイル（.xml または .xml.gz）をアップロードしてください。",
        "",
    ),
    ("import.file", "File", "ファイル", "Fichier"),
    ("import.submit", "Import", "取り込む", "Importer"),
    ("import.result", "Import result", "取り込み結果", "Résultat"),
    ("import.rejected", "Rejected", "拒否", "Rejeté"),
    ("import.imported", "Imported", "取り込み済み", "Importé"),
    ("import.unchanged", "Unchanged", "変更なし", "Inchangé"),
    ("import.diagnostics", "Diagnostics", "診断", "Diagnostics"),
    (
        "import.needsignin",
        "Sign in as an editor to import data.",
        "データを取り込むには編集者としてログインしてください。",
        "",
    ),
    ("country.title", "Country", "国", "Pays"),
    (
        "country.coverage_area",
        "Coverage by priority area",
        "重点分野別",
        "Par domaine prioritaire",
    ),
    (
        "country.coverage_plan",
        "Coverage by national-plan pillar",
        "国家計画の柱別",
        "",
    ),
    (
        "country.regional",
        "Regional programmes including this country",
        "この国を含む地域プログラム",
        "",
    ),
    (
        "area.title",
        "Priority area",
        "重点分野",
        "Domaine prioritaire",
    ),
    ("partner.title", "Partner", "パートナー", "Partenaire"),
    ("activity.title", "Activity", "案件", "Activité"),
    (
        "activity.identifier",
        "IATI identifier",
        "IATI識別子",
        "Identifiant IATI",
    ),
    ("activity.status", "Status", "状況", "Statut"),
    ("activity.dates", "Dates", "日付", "Dates"),
    (
        "activity.participants",
        "Participating organisations",
        "参加組織",
        "",
    ),
    (
        "activity.countries",
        "Countries and regions",
        "国・地域",
        "",
    ),
    ("activity.sectors", "Sectors", "セクター", "Secteurs"),
    (
        "activity.tags",
        "Priority areas (and the rule that tagged them)",
        "重点分野（分類規則）",
        "",
    ),
    ("activity.budgets", "Budgets", "予算", "Budgets"),
    (
        "activity.transactions",
        "Transactions",
        "取引",
        "Transactions",
    ),
    ("activity.results", "Results", "成果", "Résultats"),
    ("activity.locations", "Locations", "場所", "Lieux"),
    ("activity.documents", "Documents", "文書", "Documents"),
    ("activity.related", "Related activities", "関連案件", ""),
    ("activity.diagnostics", "Diagnostics", "診断", "Diagnostics"),
    ("activity.provenance", "Provenance", "出所", "Provenance"),
    ("list.filters", "Filters", "絞り込み", "Filtres"),
    ("list.prev", "Previous", "前へ", "Précédent"),
    ("list.next", "Next", "次へ", "Suivant"),
    ("list.none", "Nothing found.", "該当なし。", "Rien trouvé."),
    (
        "search.placeholder",
        "Search titles and descriptions",
        "タイトルと説明を検索",
        "",
    ),
    ("error.title", "Error", "エラー", "Erreur"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_english_and_japanese() {
        for (key, en, ja, _) in STRINGS {
            assert!(!en.is_empty(), "{key} has no English");
            assert!(!ja.is_empty(), "{key} has no Japanese");
        }
    }

    #[test]
    fn french_falls_back_to_english() {
        assert_eq!(Lang::Fr.t("login.failed"), "Wrong user name or password.");
        assert_eq!(Lang::Ja.t("nav.search"), "検索");
        assert_eq!(Lang::parse("JA"), Some(Lang::Ja));
        assert_eq!(Lang::parse("de"), None);
    }

    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<_> = STRINGS.iter().map(|r| r.0).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len());
    }
}
