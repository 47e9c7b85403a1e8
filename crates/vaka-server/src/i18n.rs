//! UI strings in English and Japanese (French prepared: untranslated keys fall
//! back to English), for the pages and the HTML error pages. Narratives from the data are not translated here; pages
//! pick the narrative in the chosen language when the data has it.
//!
//! The language comes from `?lang=` (which also sets the `vaka_lang` cookie),
//! else the cookie, else English.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};

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
    of_request(&parts.uri, &parts.headers)
}

/// Language of a request from its URI and headers (see [`from_parts`]).
pub fn of_request(uri: &Uri, headers: &HeaderMap) -> Lang {
    if let Some(q) = uri.query()
        && let Some(l) = url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::parse(&v))
    {
        return l;
    }
    crate::auth::cookie(headers, LANG_COOKIE)
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
    // Error pages: `error.{code}` is the title, `error.{code}.help` says what
    // to do; `code` is `ErrorKind::code`.
    (
        "error.bad_request",
        "Bad request",
        "リクエストが正しくありません",
        "Requête incorrecte",
    ),
    (
        "error.bad_request.help",
        "Something in the address or the form is not right; the details below name it.",
        "アドレスまたはフォームの内容に誤りがあります。詳細は下記のとおりです。",
        "Un élément de l'adresse ou du formulaire est incorrect ; le détail ci-dessous l'indique.",
    ),
    (
        "error.unauthorized",
        "Sign-in required",
        "ログインが必要です",
        "Connexion requise",
    ),
    (
        "error.unauthorized.help",
        "Sign in to see this page.",
        "このページを表示するにはログインしてください。",
        "Connectez-vous pour voir cette page.",
    ),
    (
        "error.forbidden",
        "Not allowed",
        "アクセスが許可されていません",
        "Accès refusé",
    ),
    (
        "error.forbidden.help",
        "Your account may not do this, or the form was too old (reload it and try again).",
        "このアカウントにはこの操作の権限がないか、フォームが古くなっています（再読み込みしてもう一度お試しください）。",
        "Votre compte n'a pas le droit de faire ceci, ou le formulaire était trop ancien (rechargez-le et réessayez).",
    ),
    (
        "error.not_found",
        "Not found",
        "ページが見つかりません",
        "Page introuvable",
    ),
    (
        "error.not_found.help",
        "The page or record you asked for does not exist.",
        "お探しのページまたはデータは存在しません。",
        "La page ou la donnée demandée n'existe pas.",
    ),
    (
        "error.conflict",
        "Changed by someone else",
        "他の人が変更しました",
        "Modifié par quelqu'un d'autre",
    ),
    (
        "error.conflict.help",
        "This was changed after you opened it, so nothing was saved. Reload the page and apply your change again.",
        "開いた後に他の人が変更したため、保存されませんでした。ページを再読み込みして、もう一度変更してください。",
        "Ceci a été modifié après son ouverture ; rien n'a été enregistré. Rechargez la page et refaites votre modification.",
    ),
    (
        "error.payload_too_large",
        "Too large",
        "ファイルが大きすぎます",
        "Fichier trop volumineux",
    ),
    (
        "error.payload_too_large.help",
        "The upload is larger than this server accepts.",
        "アップロードがこのサーバーの上限を超えています。",
        "L'envoi dépasse la taille acceptée par ce serveur.",
    ),
    (
        "error.unsupported_media_type",
        "Unsupported file type",
        "対応していないファイル形式です",
        "Type de fichier non pris en charge",
    ),
    (
        "error.unsupported_media_type.help",
        "Upload an IATI file ending in .xml or .xml.gz.",
        ".xml または .xml.gz のIATIファイルをアップロードしてください。",
        "Envoyez un fichier IATI se terminant par .xml ou .xml.gz.",
    ),
    (
        "error.too_many_requests",
        "Too many requests",
        "リクエストが多すぎます",
        "Trop de requêtes",
    ),
    (
        "error.too_many_requests.help",
        "Wait a little and try again.",
        "しばらく待ってから再度お試しください。",
        "Patientez un peu, puis réessayez.",
    ),
    (
        "error.internal",
        "Server error",
        "サーバーエラー",
        "Erreur du serveur",
    ),
    (
        "error.internal.help",
        "Something went wrong on the server; it has been logged.",
        "サーバーで問題が発生しました。内容は記録されています。",
        "Une erreur s'est produite sur le serveur ; elle a été consignée.",
    ),
    (
        "error.unavailable",
        "Service unavailable",
        "サービスを利用できません",
        "Service indisponible",
    ),
    (
        "error.unavailable.help",
        "The database does not answer; try again shortly.",
        "データベースが応答しません。しばらくしてから再度お試しください。",
        "La base de données ne répond pas ; réessayez dans un instant.",
    ),
    ("error.detail", "Details", "詳細", "Détails"),
    (
        "error.back",
        "Back to the dashboard",
        "ダッシュボードに戻る",
        "Retour au tableau de bord",
    ),
    ("nav.projects", "Projects", "共同事業", "Projets"),
    ("nav.announcements", "Announcements", "発表", "Annonces"),
    (
        "nav.consultations",
        "Consultations",
        "協議",
        "Consultations",
    ),
    ("nav.awaiting", "Awaiting us", "対応待ち", "En attente"),
    ("ann.list", "Announcements", "発表一覧", "Annonces"),
    ("ann.title", "Announcement", "発表", "Annonce"),
    ("ann.date", "Date", "日付", "Date"),
    ("ann.file", "File", "ファイル", "Fichier"),
    ("ann.source", "Source", "出典", "Source"),
    ("ann.ministers", "Ministers", "大臣", "Ministres"),
    ("ann.portfolios", "Portfolios", "担当", "Portefeuilles"),
    ("ann.countries", "Countries", "国", "Pays"),
    (
        "ann.areas",
        "Priority areas",
        "重点分野",
        "Domaines prioritaires",
    ),
    ("ann.frameworks", "Frameworks", "枠組み", "Cadres"),
    ("ann.amounts", "Amounts", "金額", "Montants"),
    ("ann.evidence", "Evidence", "根拠", "Preuve"),
    ("ann.people", "People", "人物", "Personnes"),
    ("ann.role", "Role", "役割", "Rôle"),
    (
        "ann.commitments",
        "Candidate commitments",
        "約束の候補",
        "Engagements candidats",
    ),
    ("ann.status", "Status", "状態", "Statut"),
    ("ann.progress", "Progress", "進捗", "Avancement"),
    ("ann.announced", "Announced", "表明額", "Annoncé"),
    ("ann.committed", "Committed", "約束額", "Engagé"),
    ("ann.disbursed", "Disbursed", "支出額", "Décaissé"),
    ("ann.confirm", "Confirm", "確認する", "Confirmer"),
    ("ann.reject", "Reject", "却下する", "Rejeter"),
    ("ann.edit", "Save the edit", "編集を保存", "Enregistrer"),
    ("ann.text", "Text", "本文", "Texte"),
    ("ann.amount", "Amount", "金額", "Montant"),
    ("ann.currency", "Currency", "通貨", "Devise"),
    (
        "ann.upload",
        "Upload a release",
        "発表を取り込む",
        "Importer un communiqué",
    ),
    (
        "ann.upload_help",
        "A ministerial release: YAML front matter (title, date, url, ministers, portfolios) followed by the Markdown text. Re-uploading the same URL updates it.",
        "大臣発表：YAMLのフロントマター（title、date、url、ministers、portfolios）とMarkdown本文。同じURLを再度取り込むと更新されます。",
        "",
    ),
    ("ann.uploaded", "Stored", "保存済み", "Enregistré"),
    (
        "ann.rejected",
        "Rejected; nothing was stored",
        "拒否されました。何も保存されていません",
        "Rejeté ; rien n'a été enregistré",
    ),
    (
        "ann.none",
        "No announcements yet.",
        "発表はまだありません。",
        "Aucune annonce.",
    ),
    ("hist.title", "History", "履歴", "Historique"),
    ("hist.when", "When", "日時", "Quand"),
    ("hist.who", "Who", "誰が", "Qui"),
    ("hist.what", "What", "内容", "Quoi"),
    (
        "conflict.notice",
        "Someone else changed this while you were looking at it. Your change was not applied; check what changed below and apply it again if it still makes sense.",
        "閲覧中に他の人がこれを変更しました。あなたの変更は適用されていません。下の変更を確認し、必要なら再度適用してください。",
        "",
    ),
    (
        "conflict.versions",
        "You saw version {seen}; it is now at version {now}.",
        "あなたが見たのは版 {seen}、現在は版 {now} です。",
        "",
    ),
    ("cons.list", "Consultations", "協議", "Consultations"),
    ("cons.meeting", "Meeting", "会合", "Réunion"),
    ("cons.place", "Place", "場所", "Lieu"),
    ("cons.online", "online", "オンライン", "en ligne"),
    (
        "cons.participants",
        "Participating organisations",
        "参加機関",
        "Organisations participantes",
    ),
    ("cons.agenda", "Agenda", "議題", "Ordre du jour"),
    ("cons.decisions", "Decisions", "決定事項", "Décisions"),
    ("cons.minutes", "Minutes", "議事録", "Procès-verbal"),
    ("cons.actions", "Action items", "アクション項目", "Actions"),
    ("cons.owner", "Owner", "担当機関", "Responsable"),
    ("cons.due", "Due", "期限", "Échéance"),
    ("cons.overdue", "overdue", "期限切れ", "en retard"),
    (
        "cons.record",
        "Printable record",
        "印刷用記録",
        "Compte rendu imprimable",
    ),
    (
        "cons.xlsx",
        "Record as XLSX",
        "記録（XLSX）",
        "Compte rendu (XLSX)",
    ),
    (
        "cons.add_item",
        "Add an agenda item",
        "議題を追加",
        "Ajouter un point",
    ),
    (
        "cons.record_item",
        "Record decisions and minutes",
        "決定事項と議事録を記録",
        "Consigner décisions et procès-verbal",
    ),
    (
        "cons.add_action",
        "Add an action item",
        "アクション項目を追加",
        "Ajouter une action",
    ),
    ("cons.item", "Agenda item", "議題", "Point"),
    ("cons.save", "Save", "保存", "Enregistrer"),
    ("cons.set_status", "Set", "設定", "Appliquer"),
    (
        "cons.none",
        "No meetings yet.",
        "会合はまだありません。",
        "Aucune réunion.",
    ),
    (
        "proj.list",
        "Joint projects",
        "共同事業",
        "Projets conjoints",
    ),
    (
        "proj.none",
        "No joint projects yet.",
        "共同事業はまだありません。",
        "Aucun projet conjoint.",
    ),
    ("proj.name", "Title", "名称", "Titre"),
    ("proj.countries", "Countries", "対象国", "Pays"),
    ("proj.status", "Status", "状態", "Statut"),
    ("proj.version", "version", "版", "version"),
    ("proj.declined", "Declined", "不承認", "Refusé"),
    (
        "proj.figures",
        "Partners: planned and reported ({currency})",
        "パートナー：計画と実績（{currency}）",
        "Partenaires : prévu et déclaré ({currency})",
    ),
    ("proj.partner", "Partner", "パートナー", "Partenaire"),
    ("proj.role", "Role", "役割", "Rôle"),
    ("proj.planned", "Planned", "計画額", "Prévu"),
    ("proj.committed", "Committed", "約束額", "Engagé"),
    ("proj.disbursed", "Disbursed", "支出額", "Décaissé"),
    ("proj.activities", "Activities", "案件", "Activités"),
    ("proj.approved", "Approved by", "承認者", "Approuvé par"),
    ("proj.step", "Step", "手続き", "Étape"),
    (
        "proj.for_partner",
        "For partner",
        "対象パートナー",
        "Pour le partenaire",
    ),
    (
        "proj.your_org",
        "(your organisation)",
        "（所属機関）",
        "(votre organisation)",
    ),
    ("proj.comment", "Comment", "コメント", "Commentaire"),
    ("proj.apply", "Apply", "適用", "Appliquer"),
    (
        "proj.lifecycle",
        "Lifecycle",
        "ライフサイクル",
        "Cycle de vie",
    ),
    ("proj.when", "When", "日時", "Quand"),
    ("proj.to", "To", "移行先", "Vers"),
    ("proj.by", "By", "実施者", "Par"),
    ("proj.status.concept", "concept", "構想", "concept"),
    ("proj.status.appraisal", "appraisal", "審査中", "évaluation"),
    (
        "proj.status.awaiting_endorsement",
        "awaiting endorsement",
        "承認待ち",
        "en attente d'aval",
    ),
    ("proj.status.endorsed", "endorsed", "承認済み", "avalisé"),
    ("proj.status.declined", "declined", "不承認", "refusé"),
    ("proj.status.approved", "approved", "採択済み", "approuvé"),
    (
        "proj.status.implementation",
        "implementation",
        "実施中",
        "mise en œuvre",
    ),
    ("proj.status.completed", "completed", "完了", "terminé"),
    ("proj.status.cancelled", "cancelled", "中止", "annulé"),
    ("proj.action.appraise", "appraise", "審査する", "évaluer"),
    ("proj.action.submit", "submit", "提出する", "soumettre"),
    ("proj.action.endorse", "endorse", "承認する", "avaliser"),
    ("proj.action.decline", "decline", "不承認とする", "refuser"),
    ("proj.action.approve", "approve", "採択する", "approuver"),
    ("proj.action.start", "start", "開始する", "démarrer"),
    ("proj.action.complete", "complete", "完了する", "terminer"),
    ("proj.action.cancel", "cancel", "中止する", "annuler"),
    ("proj.role.lead", "lead", "主導", "chef de file"),
    (
        "proj.role.co-financier",
        "co-financier",
        "協調資金提供",
        "cofinanceur",
    ),
    (
        "proj.role.implementer",
        "implementer",
        "実施機関",
        "exécutant",
    ),
    (
        "await.title",
        "Awaiting my government",
        "自国政府の対応待ち",
        "En attente de mon gouvernement",
    ),
    (
        "await.projects",
        "Projects awaiting endorsement",
        "承認待ちの共同事業",
        "Projets en attente d'approbation",
    ),
    (
        "await.actions",
        "Open action items",
        "未完了のアクション項目",
        "Actions ouvertes",
    ),
    (
        "await.needsignin",
        "Sign in to see what awaits your government or organisation.",
        "自国政府・機関の対応待ちを見るにはログインしてください。",
        "",
    ),
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
    fn every_error_kind_has_a_title_and_help() {
        for kind in crate::error::ErrorKind::ALL {
            for key in [
                format!("error.{}", kind.code()),
                format!("error.{}.help", kind.code()),
            ] {
                assert!(STRINGS.iter().any(|r| r.0 == key), "{key} is missing");
            }
        }
    }

    #[test]
    fn every_project_status_action_and_role_has_a_label() {
        use vaka_coord::project::{Action, PartnerRole, ProjectStatus};
        let roles = [
            PartnerRole::Lead,
            PartnerRole::CoFinancier,
            PartnerRole::Implementer,
        ];
        let keys = ProjectStatus::ALL
            .iter()
            .map(|s| format!("proj.status.{}", s.as_str()))
            .chain(
                Action::ALL
                    .iter()
                    .map(|a| format!("proj.action.{}", a.as_str())),
            )
            .chain(roles.iter().map(|r| format!("proj.role.{}", r.as_str())));
        for key in keys {
            assert!(STRINGS.iter().any(|r| r.0 == key), "{key} has no entry");
        }
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
