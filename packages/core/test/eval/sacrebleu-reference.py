"""Computes the sacreBLEU values that test/eval/bleu.test.ts and chrf.test.ts check beyond those
published in sacreBLEU's own test suite. Run with sacreBLEU importable, e.g. from a checkout of
mjpost/sacrebleu (2.6.0, f615c72 gave the values in the tests):

    PYTHONPATH=/path/to/sacrebleu python3 packages/core/test/eval/sacrebleu-reference.py
"""
import json

import sacrebleu
from sacrebleu.metrics import BLEU, CHRF
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

# sacreBLEU's test/test_bleu.py README example, as reference streams.
REFS = [
    ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
    ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
]
HYPS = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."]

# sacreBLEU's test/test_chrf.py sentence-level cases.
CHRF_SENTENCES = [
    ("Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.",
     "Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře."),
    ("Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.",
     "A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři."),
    ("Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.",
     "Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli."),
]

TOKENIZE_13A = [
    "Hello, world! It's 3.14 or 1,000 -- isn't it?",
    "x=5; y<=10 & z>2 (see [1]) {a|b} ~c ^d _e `f` @g #h $9.99 50% 1-2 a-b",
    "&quot;Quoted&quot; &amp; &lt;tag&gt; <skipped> word-\nbroken line\nnext.",
    "End with period. Trailing,comma 3.a a.3",
]

# Unicode beyond the BMP, and a hypothesis whose references vary in number.
EMOJI_HYP = "I 😀 love it 🎉!"
EMOJI_REF = "I 😀 loved it 🎉 !"

# score.test.ts's worked examples: (prediction, reference).
WORKED = [
    ("The cat sat on the mat.", "The cat sat on the mat."),
    ("a cat on a mat", "the cat sat on the mat"),
    ("Paris", "paris, france"),
]

out = {
    "worked_sentence_bleu": [sacrebleu.sentence_bleu(p, [r]).score for p, r in WORKED],
    "worked_sentence_chrf": [sacrebleu.sentence_chrf(p, [r]).score for p, r in WORKED],
    "worked_corpus_bleu": sacrebleu.corpus_bleu([p for p, _ in WORKED], [[r for _, r in WORKED]]).score,
    "worked_corpus_chrf": sacrebleu.corpus_chrf([p for p, _ in WORKED], [[r for _, r in WORKED]]).score,
    "tokenize13a": [Tokenizer13a()(line) for line in TOKENIZE_13A],
    "bleu_upper_cased": sacrebleu.corpus_bleu([h.upper() for h in HYPS], REFS).score,
    "bleu_upper_cased_lowercase": sacrebleu.corpus_bleu(
        [h.upper() for h in HYPS], REFS, lowercase=True).score,
    "bleu_variable_references": BLEU().corpus_score(
        ["the cat sat on the mat", "a quick brown fox", "hello there"],
        [["the cat is on the mat", "a fast brown fox jumps", "hello there"],
         ["there is a cat on the mat", None, "hi there friend"]]).score,
    "sentence_bleu_readme": [
        sacrebleu.sentence_bleu(h, [REFS[0][i], REFS[1][i]]).score for i, h in enumerate(HYPS)],
    "chrf_corpus": sacrebleu.corpus_chrf(HYPS, REFS).score,
    "chrf_sentences": [sacrebleu.sentence_chrf(h, [r]).score for h, r in CHRF_SENTENCES],
    "chrf_plus_plus_sentences": [
        sacrebleu.sentence_chrf(h, [r], word_order=2).score for h, r in CHRF_SENTENCES],
    "chrf_plus_plus_corpus": CHRF(word_order=2).corpus_score(HYPS, REFS).score,
    "chrf_lowercase_corpus": CHRF(lowercase=True).corpus_score(HYPS, REFS).score,
    "chrf_emoji": sacrebleu.sentence_chrf(EMOJI_HYP, [EMOJI_REF]).score,
    "chrf_plus_plus_emoji": sacrebleu.sentence_chrf(EMOJI_HYP, [EMOJI_REF], word_order=2).score,
}
print(json.dumps(out, indent=2, ensure_ascii=False))
