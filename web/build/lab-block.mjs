// Reads the body of a ```lab fenced block (web/labs/README.md): the lab's name, then
// key=value pairs separated by spaces or newlines, values quoted when they hold spaces.
// `caption` is the book's, not the lab's: it becomes the figure caption.

const LAB_TITLES = {
  'fastq-quality': 'Reads and their quality',
  'peak-calling': 'Calling peaks',
  'track-explorer': 'Track explorer',
  'tutorial1-prep': 'Tutorial 1: from bigWig to a dataset',
  'class-imbalance': 'Imbalanced classes',
  'first-model': 'Your first model',
  'loss-metrics': 'Losses and peak metrics',
  'lr-schedules': 'Learning-rate schedules',
  'batch-size': 'Batch size',
  'early-stopping': 'Early stopping',
  'augmentation': 'Reverse complement and shift',
  'grelu-workflow': 'gReLU\'s workflow in the page',
  'grelu-export': 'The model handed to PyTorch',
};

export function labTitle(name) {
  return LAB_TITLES[name] ?? name;
}

// Labs that draw a table or a plot above the training panel's plots get a taller canvas
// (data-tall; book.css), so the plots keep their height under it.
const TALL_LABS = new Set(['loss-metrics', 'lr-schedules', 'batch-size', 'early-stopping', 'augmentation', 'grelu-workflow', 'grelu-export']);

export function labIsTall(name) {
  return TALL_LABS.has(name);
}

// Splits on whitespace outside double quotes; quotes are removed, \" keeps a quote.
function splitWords(text, where) {
  const words = [];
  let word = '';
  let inQuotes = false;
  let started = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '\\' && inQuotes && text[i + 1] === '"') { word += '"'; i += 1; continue; }
    if (c === '"') { inQuotes = !inQuotes; started = true; continue; }
    if (!inQuotes && /\s/.test(c)) {
      if (started) words.push(word);
      word = ''; started = false;
      continue;
    }
    word += c; started = true;
  }
  if (inQuotes) throw new Error(`${where}: lab block has an unclosed quote`);
  if (started) words.push(word);
  return words;
}

export function parseLabBlock(body, where) {
  const words = splitWords(body, where);
  if (words.length === 0) throw new Error(`${where}: lab block is empty; its first word names the lab`);
  const [name, ...pairs] = words;
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`${where}: "${name}" is not a lab name`);
  const params = {};
  let caption = '';
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`${where}: lab ${name}: "${pair}" is not key=value`);
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (key in params || (key === 'caption' && caption)) throw new Error(`${where}: lab ${name}: ${key} given twice`);
    if (key === 'caption') caption = value; else params[key] = value;
  }
  return { name, params, caption };
}
