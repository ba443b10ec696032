from app.text import slug


def article_url(article):
    return "/articles/" + slug(article.title)


def tag_url(tag, prefix="/tags/"):
    return prefix + tag.name
