/**
 * The words of invite codes: 256 short, common, easy-to-spell English words, so each word is one
 * byte of the code's secret. No two words share their first three letters, so three typed letters
 * always name one word (autocompletion relies on it; join-code.test.ts checks it).
 */
export const WORDS: readonly string[] = [
  'acorn', 'agent', 'alert', 'amber', 'angle', 'apple', 'arena', 'arrow', 'aspen', 'attic',
  'autumn', 'bacon', 'bagel', 'bamboo', 'barn', 'beach', 'bench', 'bicycle', 'blanket', 'blue',
  'border', 'boxer', 'bread', 'broom', 'bucket', 'bugle', 'cabin', 'camel', 'captain', 'castle',
  'celery', 'chalk', 'chimney', 'cider', 'circus', 'clam', 'cliff', 'coast', 'coconut', 'comet',
  'coral', 'cousin', 'crab', 'crown', 'cube', 'cushion', 'dairy', 'dawn', 'deer', 'denim',
  'diamond', 'dinner', 'dolphin', 'donkey', 'dove', 'dream', 'duck', 'eagle', 'easel', 'eclipse',
  'elder', 'emerald', 'envoy', 'equal', 'escape', 'evening', 'fabric', 'family', 'farm', 'fence',
  'fiddle', 'firefly', 'flag', 'foam', 'fossil', 'frog', 'funnel', 'garden', 'gecko', 'giant',
  'giraffe', 'glove', 'gold', 'gospel', 'green', 'gull', 'hammer', 'hawk', 'helmet', 'hiking',
  'hippo', 'hockey', 'hood', 'hotel', 'husky', 'iceberg', 'idea', 'iguana', 'index', 'insect',
  'ivory', 'jaguar', 'jazz', 'jersey', 'jigsaw', 'journal', 'juggle', 'july', 'jungle', 'kale',
  'kayak', 'kettle', 'kilo', 'kiosk', 'kiwi', 'knight', 'label', 'lagoon', 'lamp', 'laptop', 'lava',
  'lemon', 'letter', 'library', 'lime', 'lion', 'lobster', 'lotus', 'lunar', 'magnet', 'mango',
  'marble', 'melon', 'metal', 'milk', 'mirror', 'mobile', 'monkey', 'morning', 'motor', 'mural',
  'myth', 'narwhal', 'navy', 'needle', 'nest', 'night', 'noble', 'north', 'nugget', 'nutmeg',
  'oasis', 'octopus', 'olive', 'onion', 'opera', 'orbit', 'organ', 'otter', 'oval', 'oxygen',
  'paddle', 'panda', 'parrot', 'peach', 'pelican', 'pepper', 'pickle', 'pillow', 'pizza', 'plum',
  'polar', 'poppy', 'prairie', 'puffin', 'puppet', 'pyramid', 'queen', 'rabbit', 'radar', 'ranch',
  'razor', 'relay', 'rescue', 'ribbon', 'riddle', 'robin', 'rodeo', 'rose', 'rugby', 'saddle',
  'saga', 'sandal', 'sauce', 'school', 'season', 'shadow', 'shovel', 'silver', 'siren', 'skiff',
  'slipper', 'snail', 'soap', 'sofa', 'sonnet', 'spider', 'spring', 'stable', 'sugar', 'sunset',
  'sweater', 'syrup', 'taco', 'talent', 'teddy', 'tennis', 'thunder', 'tiger', 'toast', 'tomato',
  'torch', 'tractor', 'trumpet', 'tuna', 'tuxedo', 'ukulele', 'unicorn', 'upper', 'usher', 'vacuum',
  'vanilla', 'venus', 'vessel', 'viking', 'violet', 'vivid', 'voyage', 'waffle', 'walnut', 'wasabi',
  'wave', 'wedding', 'wheat', 'widget', 'window', 'wombat', 'wren', 'yard', 'yeti', 'yolk', 'yoyo',
  'zenith', 'zero', 'zinc', 'zodiac',
];
