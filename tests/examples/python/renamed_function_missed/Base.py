from app.db import query


def get_user(user_id):
    return query("select * from users where id = ?", user_id)


def user_name(user_id):
    return get_user(user_id)["name"]


def user_email(user_id):
    return get_user(user_id)["email"]
