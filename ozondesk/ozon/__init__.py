"""ozon"""
