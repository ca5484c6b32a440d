/**
 * The few words rules must recognize inside prose and table cells, in the languages the
 * reference pages are published in. Sections are never found this way (anchors do that);
 * these only label a value inside a section already found: which permission type a table
 * row is, which resource a permission line is for, whether a header is required.
 * Each entry: English first, then de, fr, es, pt, it, ru, ja, zh, ko.
 */
const words = (...alternatives: string[]) => new RegExp(alternatives.join('|'), 'iu');

export const lexicon = {
  delegated: words('delegated', 'delegiert', 'délégu', 'delegad', 'delegat', 'делегир', '委任', '委托', '委派', '위임'),
  personal: words('personal', 'persönlich', 'personnel', 'pessoal', 'personale', 'личн', '個人', '个人', '개인'),
  workOrSchool: words('work or school', 'geschäfts', 'arbeits', 'schul', 'professionnel', 'scolaire', 'trabajo', 'escolar', 'corporativ', 'lavoro', 'рабоч', 'учебн', '職場', '学校', '工作', '회사', '학교'),
  application: words('application', 'anwendung', 'aplicación', 'aplicativo', 'applicazione', 'приложени', 'アプリケーション', '应用程序', '应用', '애플리케이션', '응용 프로그램'),
  notSupported: words('not supported', 'nicht unterstützt', 'non pris en charge', 'no admitid', 'no compatible', 'no se admite', 'não suportad', 'não há suporte', 'non supportat', 'не поддерживается', 'サポートされていません', 'サポートされない', '不支持', '지원되지 않'),
  signedIn: words('signed-in', 'signed in', 'angemeldet', 'connecté', 'iniciad', 'conectad', 'registrad', 'вошедш', 'выполнившего вход', 'サインイン', '已登录', '登录用户', '로그인'),
  anyUser: words('any user', 'every user', 'specified user', 'jede[ns]? benutzer', 'angegebenen benutzer', "n'importe quel utilisateur", 'utilisateur spécifié', 'cualquier usuario', 'usuario especificado', 'qualquer usuário', 'usuário especificado', 'любого пользовател', 'указанного пользовател', '任意のユーザー', '指定したユーザー', '指定されたユーザー', '任何用户', '指定用户', '모든 사용자', '지정된 사용자'),
  team: words('\\bteams?\\b', 'équipe', 'equipo', 'equipe', 'squadra', 'команд', 'チーム', '团队', '團隊', '팀'),
  group: words('\\bgroups?\\b', 'gruppe', 'groupe', 'grupo', 'gruppo', 'групп', 'グループ', '组', '群组', '그룹'),
  contact: words('\\bcontacts?\\b', 'kontakt', 'wenden sie sich an', 'contacto', 'contato', 'contatto', 'контакт', '連絡先', '联系人', '연락처'),
  user: words('\\busers?\\b', 'benutzer', 'utilisateur', 'usuario', 'usuário', 'utente', 'пользовател', 'ユーザー', '用户', '사용자'),
  required: words('\\brequired\\b', 'erforderlich', 'obligatoire', 'requis', 'obligatorio', 'requerido', 'obrigatório', 'obbligatorio', 'обязательн', '必須', '必需', '必须', '필수'),
  optional: words('\\boptional\\b', 'optionnel', 'facultati', 'opcional', 'facoltativ', 'необязательн', '省略可能', '可选', '선택'),
  binary: words('binary', 'binär', 'binaire', 'binari', 'binári', 'двоичн', 'バイナリ', '二进制', '바이너리'),
  only: words('\\bonly\\b', '\\bnur\\b', 'seulement', 'uniquement', '\\bsolo\\b', 'solamente', 'somente', 'apenas', 'soltanto', 'только', 'のみ', '仅', '只', '만 사용'),
  personalMailbox: words('personal mailbox', 'persönliche postfächer', 'persönlichen postf', 'boîtes aux lettres personnelles', 'buzones personales', 'caixas de correio pessoais', 'личные почтовые ящики', '個人用メールボックス', '个人邮箱', '개인 사서함'),
  first: words('\\bfirst\\b', 'zuerst', 'zunächst', "d'abord", 'primero', 'primeiro', 'сначала', 'まず', '最初に', '首先', '먼저'),
  directory: words('azure active directory', 'azure ad\\b', 'active directory', 'microsoft entra'),
  anyDimension: words('any dimension', 'any size', 'beliebige[nr]? (größe|abmessung)', "n'importe quelle (dimension|taille)", 'toute dimension', 'cualquier (dimensión|tamaño)', 'qualquer (dimensão|tamanho)', 'любого (размера|измерения)', '任意のサイズ', '任意の寸法', '任意尺寸', '任何尺寸', '任何维度', '任何大小', '모든 크기', '어떤 크기'),
  // What a size limit limits: the whole request ("each REST request") or the photo itself.
  request: words('\\brequests?\\b', '\\bREST\\b', 'anforderung', 'requête', 'solicitud', 'requisição', 'solicitação', 'richiesta', 'запрос', 'リクエスト', '请求', '請求', '요청'),
  photo: words('\\bphotos?\\b', '\\bpictures?\\b', '\\bimages?\\b', '\\bfotos?\\b', '\\bbild', 'imagen', 'imagem', 'immagine', 'фото', 'изображени', '写真', '画像', '照片', '图像', '사진', '이미지'),
  smallerSizes: words('smaller predefined sizes', 'smaller size', 'only the sizes', 'at or below', 'all but the', 'kleineren vordefinierten', 'kleinere größe', 'plus petites', 'plus petite taille', 'más pequeños', 'tamaño más pequeño', 'menores predefinidos', 'tamanho menor', 'меньш', '小さい', '较小', '더 작은'),
  readOnly: words('read-only', 'read only', 'schreibgeschützt', 'lecture seule', 'solo lectura', 'sólo lectura', 'somente leitura', 'apenas leitura', 'sola lettura', 'только для чтения', '読み取り専用', '只读', '唯讀', '읽기 전용'),
};

export type Concept = keyof typeof lexicon;

export function mentions(concept: Concept, ...texts: (string | undefined)[]): boolean {
  const re = lexicon[concept];
  return texts.some((t) => (t ? re.test(t) : false));
}
