from app.text import slug


def article_url(article):
    return "/articles/" + slug(article.title)


<<<<<<< ours
def tag_url(tag, prefix="/tags/"):
    return prefix + tag.name
||||||| base
def tag_url(tag):
    return "/tags/" + tag.name
=======
def author_url(author):
    return "/authors/" + _slugify(author.name)


def tag_url(tag):
    return "/tags/" + tag.name
>>>>>>> theirs
