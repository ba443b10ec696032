import re


def _slugify(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def article_url(article):
    return "/articles/" + _slugify(article.title)


def author_url(author):
    return "/authors/" + _slugify(author.name)


def tag_url(tag):
    return "/tags/" + tag.name
